// Accessibility (WCAG 2.2 AA) and Welsh: the options page, the popup (when there is one) and the
// held-post warning, in English and Welsh, checked with axe-core in the real browser; keyboard
// behaviour of the warning; the note never takes focus; forced colours, 200% zoom, reduced motion.
//
// axe and the closed shadow root: the warning lives in postcheck's *closed* shadow root on the
// site's page, which axe cannot see. The test finds that shadow root the way DevTools does (CDP
// DOM with pierce), resolves it to a JS object in the page's main world, and gives *this page's*
// host element a `shadowRoot` getter returning it. axe (injected into the main world over CDP, so
// the site's CSP does not apply to the injection) then audits the real warning: the real DOM, the
// real adopted stylesheet, the real layout over the real site. Nothing in the product changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launch, SITES, EXAMPLE, AX, ROOT, EXTENSION_DIR, waitFor, typeInto, focusInside, posted, submits, editorText, marksOn } from './harness.mjs';

const AXE_PATH = path.join(ROOT, 'node_modules/axe-core/axe.min.js');
const WCAG22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const OUT = path.join(ROOT, 'tests/output');
const T = { timeout: 120_000 };

const EN = {
  title: 'Check before you post', edit: 'Edit post', post: 'Post anyway',
  note: 'Confidential information — Barnsley MBC Social Networking Policy 4.4',
};
const CY = {
  title: 'Gwiriwch cyn postio', edit: "Golygu'r neges", post: 'Postio beth bynnag',
  note: 'Gwybodaeth gyfrinachol — Barnsley MBC Social Networking Policy 4.4',
};
const SITE = 'x';

let h;
let axeSource;
before(async () => {
  axeSource = await readFile(AXE_PATH, 'utf8');
  await mkdir(OUT, { recursive: true });
  h = await launch();
  await h.setOptions({ council: 'Barnsley MBC', councilId: 'barnsley', account: 'Personal account' });
});
after(async () => {
  if (h) await h.close();
});

// ------------------------------------------------------------------ helpers

/** Chooses the UI language in the options page's "Language" control (by id: its label is translated). */
async function setLanguage(value) {
  const page = await h.context.newPage();
  try {
    await page.goto(h.optionsUrl());
    await page.locator('#language').selectOption(value);
    await waitFor(async () => (await h.storedSettings(page))?.language === value, { message: `language "${value}" stored` });
  } finally {
    await page.close();
  }
}

/**
 * Runs axe (WCAG 2.0/2.1/2.2 A and AA rules) in the page's main world: the whole document, or
 * with `ui` only postcheck's UI (its host and, once exposed, its shadow tree).
 */
async function axe(page, ui = false) {
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  return page.evaluate(async ({ tags, ui }) => {
    const context = ui ? { include: [document.querySelector('postcheck-ui')] } : document;
    const r = await window.axe.run(context, { runOnly: { type: 'tag', values: tags } });
    const brief = (v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) });
    return {
      violations: r.violations.map(brief),
      passes: Object.fromEntries(r.passes.map((p) => [p.id, p.nodes.length])),
      incomplete: r.incomplete.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.any.map((c) => c.message + ' ' + JSON.stringify(c.data)).join('; ')}`) })),
    };
  }, { tags: WCAG22_AA, ui });
}

function assertNoViolations(result, what) {
  assert.deepEqual(result.violations, [], `${what}: axe WCAG 2.2 A/AA violations:\n${JSON.stringify(result.violations, null, 2)}`);
}

/**
 * WCAG 1.4.3 text contrast of every text-bearing element under `selector` in postcheck's shadow
 * root, computed with WCAG's formula. Needed because axe leaves color-contrast "incomplete" inside
 * the shadow root (the 0×0 fixed host is not in the browser's element stack, so axe cannot build
 * the background); the note and the warning have opaque backgrounds, so the effective background is
 * the nearest ancestors' backgrounds composited. Returns the failures ([] when all pass) and how many
 * elements were measured.
 */
function shadowContrast(page, selector) {
  return inShadow(page, (sr, sel) => {
    const parse = (c) => { const m = c.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
    const over = (top, under) => ({ r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1 });
    const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c.a > 0) layers.push(c);
        if (c.a >= 1) break;
      }
      let bg = { r: 255, g: 255, b: 255, a: 1 };
      for (const c of layers.reverse()) bg = over(c, bg);
      return bg;
    };
    const failures = [];
    let measured = 0;
    for (const root of sr.querySelectorAll(sel)) {
      for (const el of [root, ...root.querySelectorAll('*')]) {
        const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        const box = el.getBoundingClientRect();
        if (!hasText || !box.width || !box.height) continue;
        const cs = getComputedStyle(el);
        const fg = over(parse(cs.color), background(el));
        const bg = background(el);
        const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
        const ratio = (hi + 0.05) / (lo + 0.05);
        const size = parseFloat(cs.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
        measured++;
        if (ratio < (large ? 3 : 4.5)) failures.push(`${el.className || el.tagName}: ${ratio.toFixed(2)}:1 "${el.textContent.trim().slice(0, 40)}"`);
      }
    }
    return { failures, measured };
  }, selector);
}

async function assertContrast(page, selector, what) {
  const { failures, measured } = await shadowContrast(page, selector);
  assert.ok(measured >= 3, `${what}: only ${measured} text elements measured`);
  assert.deepEqual(failures, [], `${what}: text contrast below 4.5:1 (3:1 large)`);
}

/**
 * Gives the page's <postcheck-ui> host a `shadowRoot` getter returning its closed shadow root
 * (found through CDP, as DevTools does), so main-world test code and axe can look inside.
 */
async function exposeShadowRoot(ax) {
  const { root } = await ax.cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  let host = null;
  const find = (n) => {
    if (n.nodeName === 'POSTCHECK-UI') host = n;
    for (const c of n.children || []) if (!host) find(c);
  };
  find(root);
  assert.ok(host && host.shadowRoots && host.shadowRoots.length, 'no <postcheck-ui> shadow root');
  assert.equal(host.shadowRoots[0].shadowRootType, 'closed', 'the shadow root should be closed');
  const { object } = await ax.cdp.send('DOM.resolveNode', { backendNodeId: host.shadowRoots[0].backendNodeId });
  await ax.cdp.send('Runtime.callFunctionOn', {
    objectId: object.objectId,
    functionDeclaration: `function () { const sr = this; Object.defineProperty(sr.host, 'shadowRoot', { configurable: true, get: () => sr }); }`,
  });
}

/**
 * Evaluates `fn(shadowRoot, arg)` in the main world (after exposeShadowRoot). Sent as an
 * expression over CDP, like page.evaluate, so the site's CSP (no eval) does not apply.
 */
function inShadow(page, fn, arg = null) {
  return page.evaluate(`(${fn.toString()})(document.querySelector('postcheck-ui').shadowRoot, ${JSON.stringify(arg)})`);
}

async function withSite(fn, { before: prep } = {}) {
  const page = await h.openSite(SITE);
  if (prep) await prep(page);
  const ax = await AX.of(page);
  try {
    return await fn(page, ax, SITES[SITE]);
  } finally {
    await ax.detach();
    await page.close();
  }
}

/** Types the example draft, waits for the note, presses the site's Post button, waits for the warning. */
async function holdPost(page, ax, site, words = EN) {
  await typeInto(page, site, EXAMPLE);
  await waitFor(async () => (await ax.statusText()).includes(words.note), { message: `the note "${words.note}"` });
  await page.locator(site.submit).click();
  return waitFor(async () => {
    const d = await ax.alertDialog();
    return d && d.name === words.title && d;
  }, { message: `the warning "${words.title}"` });
}

/** Name of the focused element inside the shadow root, and whether it is inside the warning. */
function shadowFocus(page) {
  return inShadow(page, (sr) => {
    const a = sr.activeElement;
    return { name: a ? a.textContent.trim() : null, inDialog: !!(a && a.closest('[role=alertdialog]')), hostFocused: document.activeElement === sr.host };
  });
}

// ------------------------------------------------------------------ options page

test('options page: 0 axe violations (WCAG 2.2 A/AA), in English and in Welsh', T, async () => {
  const page = await h.openOptions();
  try {
    await waitFor(async () => (await page.locator('#council option').count()) > 1, { message: 'the council list' });
    const en = await axe(page);
    assertNoViolations(en, 'options page (English)');
    assert.ok(en.passes['label'] >= 4 && en.passes['color-contrast'] > 0, `axe did not check the controls: ${JSON.stringify(en.passes)}`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en-GB');

    // Choosing Cymraeg switches the page at once, and it stays Welsh after a reload.
    await page.getByLabel('Language', { exact: true }).selectOption({ label: 'Cymraeg' });
    await page.getByLabel('Iaith', { exact: true }).waitFor();
    await page.reload();
    await page.getByLabel('Cyngor', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'cy');
    assert.equal(await page.title(), 'Opsiynau postcheck');
    assert.equal(await page.getByRole('radio', { name: 'Cyfrif personol', exact: true }).count(), 1);
    assert.equal(await page.getByRole('radio', { name: 'Cyfrif swyddogol y cyngor', exact: true }).count(), 1);
    assert.equal(await page.locator('option[value=en]').getAttribute('lang'), 'en-GB', 'the name "English" is marked as English');
    // No English left on the page but proper names (councils, "English", "postcheck").
    const text = await page.locator('main').evaluate((m) => {
      const copy = /** @type {HTMLElement} */ (m.cloneNode(true));
      for (const o of copy.querySelectorAll('#council option[value]:not([value=""]), option[lang]')) o.remove();
      return copy.textContent;
    });
    for (const english of ['Council', 'Choose your', 'Account', 'Your role', 'Language', 'Nothing you write', 'Automatic']) {
      assert.ok(!text.includes(english), `English "${english}" on the Welsh page:\n${text}`);
    }
    await waitFor(async () => (await page.locator('#council option').count()) > 1, { message: 'the council list' });
    assertNoViolations(await axe(page), 'options page (Welsh)');
  } finally {
    await page.close();
    await setLanguage('auto');
  }
});

// ------------------------------------------------------------------ popup

test('popup: 0 axe violations (WCAG 2.2 A/AA), in English and in Welsh', T, async (t) => {
  const manifest = JSON.parse(await readFile(path.join(EXTENSION_DIR, 'manifest.json'), 'utf8'));
  const popup = manifest.action?.default_popup || manifest.browser_action?.default_popup;
  if (!popup) {
    t.skip('the extension has no popup yet (manifest action.default_popup)');
    return;
  }
  for (const lang of ['en', 'cy']) {
    await setLanguage(lang);
    const page = await h.context.newPage();
    try {
      await page.goto(`chrome-extension://${h.extensionId}/${popup}`);
      await page.waitForLoadState('load');
      assertNoViolations(await axe(page), `popup (${lang})`);
    } finally {
      await page.close();
    }
  }
  await setLanguage('auto');
});

// ------------------------------------------------------------------ the held-post warning

test('held-post warning: 0 axe violations in English (light and dark), one entry per category, the quote is read', T, async () => {
  await withSite(async (page, ax, site) => {
    const warning = await holdPost(page, ax, site);
    await exposeShadowRoot(ax);
    const light = await axe(page, true);
    assertNoViolations(light, 'warning (English)');
    assert.ok(light.passes['button-name'] >= 2 && light.passes['list'] >= 1,
      `axe did not see inside the warning: ${JSON.stringify(light.passes)}`);
    await assertContrast(page, '[role=alertdialog]', 'warning (English)');

    // Grouped: "Confidential information" once, both cues listed in one line, each clause quoted once.
    const shape = await inShadow(page, (sr) => {
      const d = sr.querySelector('[role=alertdialog]');
      return {
        entries: [...d.querySelectorAll('li')].map((li) => li.querySelector('.heading').textContent),
        excerpts: [...d.querySelectorAll('.excerpt')].map((e) => e.textContent),
        quotes: [...d.querySelectorAll('blockquote')].map((b) => ({ label: b.getAttribute('aria-label'), lang: b.querySelector('.quote-text').lang })),
        lang: d.lang,
      };
    });
    assert.equal(shape.entries.filter((e) => e.startsWith('Confidential information')).length, 1, `categories: ${shape.entries}`);
    // (the core decides the exact span of the second cue: "don't tell" or "don't tell anyone")
    assert.ok(shape.excerpts.some((e) => /^In your post: “between us”, “don't tell[^”]*”$/.test(e)), `excerpts: ${shape.excerpts}`);
    assert.ok(shape.quotes.length >= 1 && shape.quotes.every((q) => q.label === null && q.lang === 'en'), JSON.stringify(shape.quotes));
    assert.equal(shape.lang, 'en-GB');
    // A screen reader hears the clause itself (no aria-label stands in for the blockquote).
    const quotes = await ax.query({ role: 'blockquote' });
    assert.ok(quotes.length >= 1, 'no blockquote in the accessibility tree');
    const quoteText = await ax.text(quotes[0]);
    assert.ok(!quoteText.startsWith('What the policy says') && quoteText.length > 60, `blockquote reads: ${quoteText}`);
    assert.ok(warning.text.includes(EN.note.split(' — ')[1]));

    await page.emulateMedia({ colorScheme: 'dark' });
    assertNoViolations(await axe(page, true), 'warning (English, dark)');
    await assertContrast(page, '[role=alertdialog]', 'warning (English, dark)');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

test('held-post warning: focus moves in, Tab stays inside, Escape means "Edit post" and focus returns to the composer', T, async () => {
  await withSite(async (page, ax, site) => {
    await holdPost(page, ax, site);
    await exposeShadowRoot(ax);
    const first = await shadowFocus(page);
    assert.deepEqual(first, { name: EN.edit, inDialog: true, hostFocused: true }, 'focus is on "Edit post" when the warning opens');
    const seen = new Set();
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press(i < 5 ? 'Tab' : 'Shift+Tab');
      const f = await shadowFocus(page);
      assert.ok(f.inDialog && f.hostFocused, `focus left the warning after ${i + 1} Tab presses: ${JSON.stringify(f)}`);
      seen.add(f.name);
    }
    assert.ok(seen.has(EN.edit) && seen.has(EN.post), `Tab did not reach both buttons: ${[...seen]}`);
    // Every control shows a visible focus indicator.
    const outlines = await inShadow(page, (sr) => [...sr.querySelectorAll('[role=alertdialog] button')].map((b) => {
      b.focus();
      const cs = getComputedStyle(b);
      return { name: b.textContent.trim(), visible: b.matches(':focus-visible') && cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 };
    }));
    for (const o of outlines) assert.ok(o.visible, `no visible focus style on "${o.name}"`);

    await page.keyboard.press('Escape');
    await waitFor(async () => !(await ax.alertDialog()), { message: 'Escape to close the warning' });
    await waitFor(() => focusInside(page, site.editor), { message: 'focus back in the composer' });
    assert.deepEqual(await posted(page), [], 'Escape posted');
    assert.equal(await submits(page), 0);
    assert.equal(await editorText(page), EXAMPLE, 'the draft is kept');
    // …and the user can type on where they were.
    await page.keyboard.type('!', { delay: 5 });
    await waitFor(async () => (await editorText(page)).endsWith('!'), { message: 'typing continues in the composer' });
  });
});

test('the note never takes focus while the user types; it is a polite live region', T, async () => {
  await withSite(async (page, ax, site) => {
    await page.locator(site.editor).click();
    const focusLost = [];
    for (const chunk of ['between us ', 'the Hoyland depot ', "is closing, don't ", 'tell anyone']) {
      await page.keyboard.type(chunk, { delay: 15 });
      if (!(await focusInside(page, site.editor))) focusLost.push(chunk);
    }
    await waitFor(async () => (await ax.statusText()).includes(EN.note), { message: 'the note' });
    // The note has appeared (and updated) while typing: focus never moved to it.
    for (let i = 0; i < 5; i++) {
      await page.keyboard.type(' x', { delay: 15 });
      if (!(await focusInside(page, site.editor))) focusLost.push(`after note ${i}`);
    }
    assert.deepEqual(focusLost, [], 'focus left the composer while typing');
    assert.equal(await editorText(page), `${EXAMPLE} x x x x x`);
    const [status] = await ax.query({ role: 'status' });
    const live = (status.properties || []).find((p) => p.name === 'live');
    assert.equal(live?.value?.value, 'polite', 'the note is not a polite live region');
    await exposeShadowRoot(ax);
    assert.equal(await inShadow(page, (sr) => sr.activeElement), null, 'something inside postcheck has focus');
    await assertContrast(page, '.note', 'note');
    assertNoViolations(await axe(page, true), 'note');
    await page.emulateMedia({ colorScheme: 'dark' });
    await assertContrast(page, '.note', 'note (dark)');
  });
});

// ------------------------------------------------------------------ Welsh

test('Cymraeg: the note and the warning speak Welsh around the English clause; 0 axe violations', T, async () => {
  await setLanguage('cy');
  try {
    await withSite(async (page, ax, site) => {
      const warning = await holdPost(page, ax, site, CY);
      for (const english of ['Check before you post', 'In your post', 'This post may', 'suggests information']) {
        assert.ok(!warning.text.includes(english), `English "${english}" in the Welsh warning: ${warning.text}`);
      }
      assert.ok(warning.text.includes('Barnsley MBC Social Networking Policy 4.4'), 'the clause reference is kept as the policy writes it');
      assert.equal((await ax.query({ role: 'button', name: CY.edit })).length, 1);
      assert.equal((await ax.query({ role: 'button', name: CY.post })).length, 1);
      await exposeShadowRoot(ax);
      const langs = await inShadow(page, (sr) => {
        const d = sr.querySelector('[role=alertdialog]');
        return {
          dialog: d.lang,
          quotes: [...d.querySelectorAll('.quote-text')].map((q) => q.lang),
          excerpts: [...d.querySelectorAll('.excerpt')].map((e) => e.textContent),
        };
      });
      assert.equal(langs.dialog, 'cy');
      assert.ok(langs.quotes.length && langs.quotes.every((l) => l === 'en'), `quotes: ${langs.quotes}`);
      assert.ok(langs.excerpts.some((e) => /^Yn eich neges: “between us”, “don't tell[^”]*”$/.test(e)), `excerpts: ${langs.excerpts}`);
      assertNoViolations(await axe(page, true), 'warning (Welsh)');
      await assertContrast(page, '[role=alertdialog]', 'warning (Welsh)');
      await page.screenshot({ path: path.join(OUT, 'a11y-warning-cy.png') });

      await page.keyboard.press('Escape');
      await waitFor(async () => !(await ax.alertDialog()), { message: 'Escape to close the warning' });
      await waitFor(() => focusInside(page, site.editor), { message: 'focus back in the composer' });
      assert.deepEqual(await posted(page), []);
    });
  } finally {
    await setLanguage('auto');
  }
});

// ------------------------------------------------------------------ forced colours, zoom, motion

test('forced colours: the warning keeps its borders, separators and focus indicator', T, async () => {
  await withSite(async (page, ax, site) => {
    await page.emulateMedia({ forcedColors: 'active' });
    await holdPost(page, ax, site);
    await exposeShadowRoot(ax);
    await page.keyboard.press('Tab'); // a keyboard user: the focus ring is drawn
    const looks = await inShadow(page, (sr) => {
      const d = sr.querySelector('[role=alertdialog]');
      const border = (el) => { const cs = getComputedStyle(el); return cs.borderTopStyle !== 'none' && parseFloat(cs.borderTopWidth) > 0; };
      const focused = sr.activeElement;
      const fcs = getComputedStyle(focused);
      return {
        forced: matchMedia('(forced-colors: active)').matches,
        dialogBorder: border(d),
        buttonBorders: [...d.querySelectorAll('.btn')].every(border),
        badges: [...d.querySelectorAll('.sev')].every(border),
        focusRing: fcs.outlineStyle !== 'none' && parseFloat(fcs.outlineWidth) >= 2,
      };
    });
    assert.deepEqual(looks, { forced: true, dialogBorder: true, buttonBorders: true, badges: true, focusRing: true });
    assertNoViolations(await axe(page, true), 'warning (forced colours)');
    await page.screenshot({ path: path.join(OUT, 'a11y-warning-forced-colours.png') });
  });
});

test('marks: out of the accessibility tree, drawn in system colours under forced colours, lighter on a dark composer', T, async () => {
  await withSite(async (page, ax, site) => {
    await typeInto(page, site, EXAMPLE);
    const covered = (m) => ['between us', 'tell'].every((c) => m.texts.some((t) => t.toLowerCase().includes(c))) && m;
    const m = await waitFor(async () => covered(await marksOn(page, ax, site)), { message: 'marks over the cues' });
    // Not in the accessibility tree: no AX node is backed by a mark element (only the note and its
    // contents come from postcheck's shadow root).
    await exposeShadowRoot(ax);
    const markIds = new Set();
    const { root } = await ax.cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const walk = (n) => {
      if ((n.attributes || []).some((v, i) => i % 2 === 1 && /\bpcmark\b|\bmarks\b/.test(v) && n.attributes[i - 1] === 'class')) markIds.add(n.backendNodeId);
      for (const c of [...(n.children || []), ...(n.shadowRoots || []), ...(n.pseudoElements || [])]) walk(c);
    };
    walk(root);
    assert.ok(markIds.size >= m.boxes.length, `mark elements found over CDP (${markIds.size})`);
    const { nodes } = await ax.cdp.send('Accessibility.getFullAXTree', {});
    const exposed = nodes.filter((n) => !n.ignored && markIds.has(n.backendDOMNodeId));
    assert.deepEqual(exposed.map((n) => n.role?.value), [], 'mark elements in the accessibility tree');
    // Severity by shape, not colour alone: the warn underline is wavy.
    const looks = (sr) => [...sr.querySelectorAll('.pcmark')].filter((e) => !e.hidden).map((e) => {
      const a = getComputedStyle(e, '::after');
      return { cls: e.className, style: a.textDecorationStyle, line: a.textDecorationLine, colour: a.textDecorationColor, bg: getComputedStyle(e).backgroundColor };
    });
    const light = await inShadow(page, looks);
    assert.ok(light.length > 0 && light.every((x) => x.line === 'underline' && (x.cls.includes('warn') ? x.style === 'wavy' : true)), JSON.stringify(light));
    // Forced colours: still drawn, underline and tint in the system Highlight colour.
    await page.emulateMedia({ forcedColors: 'active' });
    await waitFor(async () => covered(await marksOn(page, ax, site)), { message: 'marks drawn under forced colours' });
    const highlight = await page.evaluate(() => { const d = document.createElement('i'); d.style.color = 'Highlight'; document.body.append(d); const c = getComputedStyle(d).color; d.remove(); return c; });
    const forced = await inShadow(page, looks);
    assert.ok(forced.every((x) => x.colour === highlight && x.bg !== 'rgba(0, 0, 0, 0)'), `forced colours: ${JSON.stringify(forced)} (Highlight is ${highlight})`);
    await page.screenshot({ path: path.join(OUT, 'a11y-marks-forced-colours.png') });
    await page.emulateMedia({ forcedColors: 'none' });
    // A dark composer (light text): the lighter underline colours.
    await page.evaluate((sel) => { const el = document.querySelector(sel); el.style.setProperty('color', '#f1f1f1'); el.style.setProperty('background', '#15181c'); }, site.editor);
    await waitFor(async () => (await inShadow(page, looks)).every((x) => x.colour !== light.find((y) => y.cls === x.cls)?.colour), { message: 'lighter marks on a dark composer' });
    await page.screenshot({ path: path.join(OUT, 'a11y-marks-dark.png') });
  });
});

test('200% zoom: the note and the warning fit the viewport without sideways scrolling; both buttons reachable', T, async () => {
  await withSite(async (page, ax, site) => {
    // 200% zoom of the 1100×800 window lays out like a 550×400 CSS-pixel viewport (WCAG 1.4.4 / 1.4.10).
    await page.setViewportSize({ width: 550, height: 400 });
    await typeInto(page, site, EXAMPLE);
    await waitFor(async () => (await ax.statusText()).includes(EN.note), { message: 'the note' });
    await exposeShadowRoot(ax);
    const note = await inShadow(page, (sr) => {
      const r = sr.querySelector('.note').getBoundingClientRect();
      return { left: r.left, right: r.right, width: document.documentElement.clientWidth };
    });
    assert.ok(note.left >= 0 && note.right <= note.width, `the note overflows the viewport: ${JSON.stringify(note)}`);
    await page.screenshot({ path: path.join(OUT, 'a11y-note-zoom200.png') });

    await page.locator(site.submit).click();
    await waitFor(() => ax.alertDialog(), { message: 'the warning' });
    const fit = await inShadow(page, (sr) => {
      const d = sr.querySelector('[role=alertdialog]');
      const r = d.getBoundingClientRect();
      const body = d.querySelector('.body');
      const buttons = [...d.querySelectorAll('.actions .btn')].map((b) => b.getBoundingClientRect());
      return {
        vw: innerWidth, vh: innerHeight,
        inside: r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight,
        sideways: body.scrollWidth > body.clientWidth + 1,
        buttonsVisible: buttons.every((b) => b.top >= 0 && b.bottom <= innerHeight && b.left >= 0 && b.right <= innerWidth),
      };
    });
    assert.equal(fit.vw, 550);
    assert.deepEqual({ inside: fit.inside, sideways: fit.sideways, buttonsVisible: fit.buttonsVisible },
      { inside: true, sideways: false, buttonsVisible: true }, JSON.stringify(fit));
    await page.screenshot({ path: path.join(OUT, 'a11y-warning-zoom200.png') });
    assertNoViolations(await axe(page, true), 'warning (200% zoom)');
  });
});

test('prefers-reduced-motion: nothing in postcheck animates', T, async () => {
  await withSite(async (page, ax, site) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await holdPost(page, ax, site);
    await exposeShadowRoot(ax);
    const motion = await inShadow(page, (sr) => ({
      animations: sr.getAnimations().length,
      moving: [...sr.querySelectorAll('*')].filter((el) => {
        const cs = getComputedStyle(el);
        return parseFloat(cs.transitionDuration) > 0 || (cs.animationName !== 'none' && parseFloat(cs.animationDuration) > 0);
      }).length,
    }));
    assert.deepEqual(motion, { animations: 0, moving: 0 });
  });
});

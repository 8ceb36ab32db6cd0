// Language follows the browser: Chromium launched in Welsh (harness launch({lang: 'cy'}): --lang=cy,
// LANGUAGE=cy, preferred language cy) with the language setting left on "Automatic" shows the
// options page and the held-post warning in Welsh, while the quoted policy clause stays in English
// (lang="en").
//
// Note: Debian's Chromium has no Welsh UI pack (Chrome offers no Welsh UI either), so the browser's
// language is what Playwright's locale emulation gives chrome.i18n.getUILanguage() and
// navigator.languages; the test checks that the extension page does see 'cy' before relying on it.
//
//   node --test --test-concurrency=1 tests/browser/language.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, SITES, EXAMPLE, AX, waitFor, typeInto, posted } from './harness.mjs';

const T = { timeout: 90_000 };
let h;

before(async () => {
  h = await launch({ lang: 'cy' });
});
after(async () => {
  if (h) await h.close();
});

/** Runs `fn(shadowRoot)` (a function source) on postcheck's closed shadow root, found over CDP. */
async function inClosedShadow(ax, fn) {
  const { root } = await ax.cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  let host = null;
  const find = (n) => {
    if (n.nodeName === 'POSTCHECK-UI') host = n;
    for (const c of n.children || []) if (!host) find(c);
  };
  find(root);
  assert.ok(host && host.shadowRoots && host.shadowRoots.length, 'no <postcheck-ui> shadow root');
  const { object } = await ax.cdp.send('DOM.resolveNode', { backendNodeId: host.shadowRoots[0].backendNodeId });
  const { result } = await ax.cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: fn, returnByValue: true });
  await ax.cdp.send('Runtime.releaseObject', { objectId: object.objectId }).catch(() => {});
  return result.value;
}

test('with language "Automatic", a Welsh browser gets the options page in Welsh', T, async () => {
  const page = await h.context.newPage();
  try {
    await page.goto(h.optionsUrl());
    assert.equal(await page.evaluate(() => chrome.i18n.getUILanguage()), 'cy', 'the browser is not in Welsh');
    await page.getByLabel('Cyngor', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'cy');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Opsiynau postcheck');
    assert.equal(await page.locator('#language').inputValue(), 'auto', 'the language setting is not "Automatic"');
    assert.match(await page.locator('#language option[value=auto]').textContent(), /^Awtomatig/);
    // Choose a council, like a user, in Welsh (the language stays "Automatic").
    const select = page.getByLabel('Cyngor', { exact: true });
    await waitFor(async () => (await select.locator('option').allTextContents()).some((t) => t.trim() === 'Barnsley MBC'),
      { message: 'Barnsley MBC in the council list' });
    await select.selectOption({ label: 'Barnsley MBC' });
    await waitFor(async () => (await h.storedSettings(page))?.council === 'barnsley', { message: 'the council stored' });
    assert.ok(['auto', undefined].includes((await h.storedSettings(page)).language), 'the language setting changed');
  } finally {
    await page.close();
  }
});

test('…and the held-post warning in Welsh, quoting the clause in English', T, async () => {
  const site = SITES.mastodon;
  const page = await h.openSite('mastodon');
  const ax = await AX.of(page);
  try {
    await typeInto(page, site, EXAMPLE);
    await waitFor(async () => (await ax.statusText()).length > 0, { message: 'the note' });
    await page.locator(site.submit).click();
    const d = await waitFor(() => ax.alertDialog(), { message: 'the held-post warning' });
    assert.equal(d.name, 'Gwiriwch cyn postio');
    assert.equal((await ax.query({ role: 'button', name: 'Postio beth bynnag' })).length, 1, 'no "Postio beth bynnag" button');
    const shape = await inClosedShadow(ax, `function () {
      const d = this.querySelector('[role=alertdialog]');
      return { lang: d.closest('[lang]') && d.closest('[lang]').lang,
        quotes: [...d.querySelectorAll('.quote-text')].map((q) => ({ lang: q.lang, text: q.textContent })) };
    }`);
    assert.equal(shape.lang, 'cy', 'the warning is not marked as Welsh');
    assert.ok(shape.quotes.length >= 1, 'no quoted clause');
    for (const q of shape.quotes) {
      assert.equal(q.lang, 'en', `a quote is not marked English: ${JSON.stringify(q)}`);
      assert.match(q.text, /\b(the|and|of)\b/i, `the quote is not the English clause: ${q.text}`);
    }
    assert.deepEqual(await posted(page), []);
  } finally {
    await ax.detach();
    await page.close();
  }
});

// End-to-end: the built extension (dist/chrome) in Debian Chromium against the three fixture sites
// (real Draft.js / Lexical / textarea composers at their real URLs, strict CSP). See docs/contract.md §5, §6.
//
//   node --test --test-concurrency=1 tests/browser/
//   POSTCHECK_EXTENSION=tests/fixtures/stub-extension …   (harness self-check without a build)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, SITES, EXAMPLE, CLEAN, AX, waitFor, typeInto, posted, submits, editorText,
  marksOn, markBoxes, markElements, markedTexts, pageView, editorRef, cspViolations, focusInside, openComposer,
} from './harness.mjs';

const BARNSLEY = { council: 'Barnsley MBC', councilId: 'barnsley', account: 'Personal account' };
const SHEFFIELD = { council: 'Sheffield City Council', councilId: 'sheffield', account: 'Personal account' };
const BARNSLEY_REF = 'Barnsley MBC Social Networking Policy 4.4';
const IMAGES_REF = 'Barnsley MBC Social Networking Policy 4.6';
const SHEFFIELD_DOC = 'Sheffield City Council Social Networking Policy (2015)';
const TITLE = 'Confidential information';
// Words the core marks in EXAMPLE (exact span ends are the core's business: its rules mark
// "don't tell" or "tell anyone" depending on the rule set).
const CUES = ['between us', 'tell'];
const WARNING = 'Check before you post';

const T = { timeout: 90_000 }; // per test; waits inside are 10 s each
let h;
const violations = []; // CSP violations seen by pages, collected when each page closes
const cspRead = new Set(); // sites whose recorded violations were read (so an empty list means none, not unread)
const cspUnread = []; // sites whose recorder could not be read, with the error

before(async () => {
  h = await launch();
  await h.setOptions(BARNSLEY);
});

after(async () => {
  if (h) await h.close();
});

/** Opens a site in a fresh tab with an AX session; closes both (recording CSP violations) at the end. */
async function withSite(id, fn) {
  const page = await h.openSite(id);
  const ax = await AX.of(page);
  try {
    return await fn(page, ax, SITES[id]);
  } finally {
    try {
      violations.push(...(await cspViolations(page)).map((v) => ({ site: id, ...v })));
      cspRead.add(id);
    } catch (e) {
      cspUnread.push({ site: id, error: String(e) });
    }
    await ax.detach();
    await page.close();
  }
}

const lc = (s) => s.toLowerCase();
const covers = (texts, cue) => texts.some((t) => lc(t).includes(lc(cue)));

async function waitForMarks(page, ax, site) {
  return waitFor(async () => {
    // The words under the mark boxes drawn in postcheck's closed shadow root (read over CDP).
    const texts = await markedTexts(page, ax, site);
    return CUES.every((c) => covers(texts, c)) && texts;
  }, { message: `marks covering ${CUES.map((c) => `"${c}"`).join(' and ')}` });
}

/**
 * Every marked character in view sits in a mark box of its own line: the box's top and bottom are
 * the character's (within 2 px), unless the box is cut there by the composer's visible box. (A
 * stale box left behind by a scroll fails this even where it still happens to cover other text.)
 */
function aligned(m) {
  const v = m.visible;
  return m.chars.filter((c) => c.shown && c.marked).every((c) => {
    const x = (c.left + c.right) / 2;
    return m.boxes.some((b) => b.left <= x && x <= b.right
      && (Math.abs(b.top - c.top) < 2 || (b.top <= v.top + 2 && c.top < v.top + 2))
      && (Math.abs(b.bottom - c.bottom) < 2 || (b.bottom >= v.bottom - 2 && c.bottom > v.bottom - 2)));
  });
}

async function waitForNote(ax, ...needles) {
  return waitFor(async () => {
    const text = await ax.statusText();
    return needles.every((n) => text.includes(n)) && text;
  }, { message: `a status note containing ${needles.map((n) => `"${n}"`).join(', ')}` });
}

async function waitForWarning(ax) {
  return waitFor(() => ax.alertDialog(), { message: `an alertdialog "${WARNING}"` });
}

async function waitForNoWarning(ax) {
  return waitFor(async () => !(await ax.alertDialog()), { message: 'the warning to close' });
}

for (const id of Object.keys(SITES)) {
  const site = SITES[id];
  describe(`${site.name}`, () => {
    test('the example draft is marked and the note cites Barnsley 4.4', T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, EXAMPLE);
        const marks = await waitForMarks(page, ax, site);
        for (const m of marks) assert.ok(!lc(m).includes('hoyland'), `a mark covers more than the cue: "${m}"`);
        assert.equal((await marksOn(page, ax, site)).outside, 0, 'mark boxes outside the composer');
        const note = await waitForNote(ax, TITLE, BARNSLEY_REF);
        assert.match(note, /Confidential information/);
      });
    });

    test('the marks are drawn over the words in a closed overlay the page cannot read', T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, EXAMPLE);
        // Findings are in: the note cites them (the note's text is in the closed root as well).
        await waitForNote(ax, TITLE);
        // (b) The page's own scripts (main world) see nothing: no highlight registered, no element
        // naming postcheck but the closed host, and no hit of postcheck's host over the words.
        // (Failed before: every flagged range and its severity sat in the page's CSS.highlights.)
        const seen = await page.evaluate(pageView, { ref: editorRef(site) });
        assert.deepEqual(seen, { highlights: [], found: [], hostShadowRoot: false, atWords: 0 }, 'what the page can see of the marks');
        // (a) Each cue's every character lies under a drawn mark box (geometry, not the extension's word).
        await waitForMarks(page, ax, site);
        const m = await marksOn(page, ax, site);
        for (const cue of CUES) {
          const at = lc(EXAMPLE).indexOf(cue);
          const under = m.chars.filter((c) => c.i >= at && c.i < at + cue.length);
          assert.equal(under.length, cue.length, `"${cue}" laid out`);
          assert.ok(under.every((c) => c.marked), `every character of "${cue}" under a mark box`);
        }
        for (const b of m.boxes) {
          assert.equal(b.ariaHidden, true, 'a mark box is in the accessibility tree');
          assert.equal(b.pointerEvents, 'none', 'a mark box takes pointer events');
        }
        assert.deepEqual(await page.evaluate(pageView, { ref: editorRef(site) }), seen, 'what the page can see once the marks are drawn');
      });
    });

    if (site.alias) return; // an alias host (same page at another origin): marking shows the content script runs there

    test("the editor's own text equals what was typed after the marks are drawn", T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, EXAMPLE);
        await waitForMarks(page, ax, site);
        await waitForNote(ax, TITLE);
        assert.equal(await editorText(page), EXAMPLE);
        // Typing more after the marks are drawn still reaches the editor unchanged.
        await page.keyboard.type(' today', { delay: 5 });
        await waitFor(async () => (await editorText(page)) === `${EXAMPLE} today`, { message: 'editor text with the addition' });
      });
    });

    test('editing inside a marked span keeps the editor text intact and the marks follow', T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, EXAMPLE);
        await waitForMarks(page, ax, site);
        await page.keyboard.press('Control+Home');
        for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
        await page.keyboard.type('x', { delay: 5 });
        const edited = `${EXAMPLE.slice(0, 8)}x${EXAMPLE.slice(8)}`;
        await waitFor(async () => (await editorText(page)) === edited, { message: 'the edited text in the editor' });
        // "between xus" is no longer the cue: its mark goes, the later one stays, all inside the composer.
        await waitFor(async () => {
          const texts = await markedTexts(page, ax, site);
          return !covers(texts, 'between') && covers(texts, 'tell');
        }, { message: 'marks re-drawn for the edited text' });
        assert.equal((await marksOn(page, ax, site)).outside, 0, 'mark boxes outside the composer');
        assert.equal(await editorText(page), edited);
      });
    });

    test('the marks follow a scroll of the composer, stay inside it, and go when the text is fixed', T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, EXAMPLE);
        await waitForMarks(page, ax, site);
        // Which characters are marked, with the whole draft in view (by index: wrapping does not change it).
        const full = await marksOn(page, ax, site);
        assert.ok(full.chars.every((c) => c.shown), 'the whole draft is in view to begin with');
        const flagged = new Map(full.chars.map((c) => [c.i, c.marked]));
        // Drawn as it should be: a character in view is marked iff it is flagged; one scrolled out of
        // view is not (its mark is cut at the composer); every mark box lies inside the composer.
        const inBox = (b, v) => b.left >= v.left - 1.5 && b.top >= v.top - 1.5 && b.right <= v.right + 1.5 && b.bottom <= v.bottom + 1.5;
        const drawnRight = (m) => m.boxes.length > 0 && m.boxes.every((b) => inBox(b, m.visible))
          && m.chars.every((c) => (c.shown ? c.marked === flagged.get(c.i) : !c.marked)) && aligned(m);
        // Make the composer a small scroll box (the text wraps over several lines, two show).
        await page.evaluate((ref) => {
          const el = ref.shadowHost ? document.querySelector(ref.shadowHost).shadowRoot.querySelector(ref.inShadow) : document.querySelector(ref.editor);
          for (const [k, v] of [['width', '170px'], ['height', '44px'], ['min-height', '0'], ['max-height', 'none'], ['overflow-y', 'auto'], ['box-sizing', 'border-box']]) el.style.setProperty(k, v, 'important');
          el.scrollTop = 0;
        }, editorRef(site));
        await waitFor(async () => drawnRight(await marksOn(page, ax, site)), { message: 'marks re-drawn over the re-wrapped text, cut at the composer' });
        const scrolled = await page.evaluate((ref) => {
          const el = ref.shadowHost ? document.querySelector(ref.shadowHost).shadowRoot.querySelector(ref.inShadow) : document.querySelector(ref.editor);
          el.scrollTop = el.scrollHeight;
          return el.scrollTop;
        }, editorRef(site));
        assert.ok(scrolled > 0, 'the composer scrolls');
        const after = await waitFor(async () => {
          const m = await marksOn(page, ax, site);
          return drawnRight(m) && m;
        }, { message: 'the marks to move with the scrolled text and be cut at the composer' });
        assert.ok(after.chars.some((c) => !c.shown && flagged.get(c.i)), 'a marked word scrolled out of view (the test shows clipping)');
        assert.ok(after.chars.some((c) => c.shown && c.marked), 'a marked word still in view is still marked');
        // Fixed text: the marks go.
        await page.keyboard.press('Control+A');
        await page.keyboard.type(CLEAN, { delay: 2 });
        await waitFor(async () => (await marksOn(page, ax, site)).boxes.length === 0, { message: 'the marks to go once the text is clean' });
      });
    });

    test('the marks follow a scroll of the page', T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, EXAMPLE);
        await waitForMarks(page, ax, site);
        const full = await marksOn(page, ax, site);
        const flagged = new Map(full.chars.map((c) => [c.i, c.marked]));
        const drawnRight = (m) => m.chars.every((c) => (c.shown ? c.marked === flagged.get(c.i) : !c.marked)) && aligned(m);
        // Give the page room to scroll (test only; growing the page re-draws the marks by itself,
        // so let that settle first), then scroll it by 30 px: the text stays in view, 30 px higher.
        await page.evaluate(() => new Promise((r) => { document.body.style.setProperty('min-height', '4000px'); requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 100))); }));
        const moved = await page.evaluate((ref) => {
          const el = ref.shadowHost ? document.querySelector(ref.shadowHost).shadowRoot.querySelector(ref.inShadow) : document.querySelector(ref.editor);
          const top = el.getBoundingClientRect().top;
          window.scrollBy(0, 30);
          return top - el.getBoundingClientRect().top;
        }, editorRef(site));
        const m = await waitFor(async () => {
          const x = await marksOn(page, ax, site);
          return drawnRight(x) && x;
        }, { message: 'the marks to move with the page' });
        if (moved > 0) assert.ok(m.chars.filter((c) => c.marked).length >= CUES.join('').length, 'the cues still in view and marked');
      });
    });

    test('the marks go when the composer leaves the page', T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, EXAMPLE);
        await waitForMarks(page, ax, site);
        assert.ok((await markElements(ax)) > 0, 'mark elements while the composer is there');
        await page.evaluate((ref) => {
          const el = ref.shadowHost ? document.querySelector(ref.shadowHost).shadowRoot.querySelector(ref.inShadow) : document.querySelector(ref.editor);
          el.remove();
        }, editorRef(site));
        await waitFor(async () => (await markBoxes(ax)).length === 0, { message: 'no mark box drawn once the composer is gone' });
        // …and none kept: the composer's marks are removed from the shadow root, not just hidden.
        await waitFor(async () => (await markElements(ax)) === 0, { message: 'no mark element left once the composer is gone' });
      });
    });

    test('the post button is held with a warning citing the clause; "Edit post" returns to the composer', T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, EXAMPLE);
        await waitForNote(ax, BARNSLEY_REF);
        await page.locator(site.submit).click();
        const warning = await waitForWarning(ax);
        assert.equal(warning.name, WARNING);
        assert.ok(warning.text.includes(BARNSLEY_REF), `warning text lacks the clause reference: ${warning.text}`);
        assert.ok(warning.text.includes(TITLE), `warning text lacks the category: ${warning.text}`);
        assert.deepEqual(await posted(page), [], 'the site posted although the post was held');
        assert.equal(await submits(page), 0, "the site's submit handler ran");

        await ax.clickButton('Edit post');
        await waitForNoWarning(ax);
        await waitFor(() => focusInside(page, site), { message: 'focus back in the composer' });
        assert.deepEqual(await posted(page), []);
        assert.equal(await submits(page), 0);
        assert.equal(await editorText(page), EXAMPLE, 'the draft is still there to edit');
      });
    });

    test('"Post anyway" posts exactly the typed text, once', T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, EXAMPLE);
        await waitForNote(ax, BARNSLEY_REF);
        await page.locator(site.submit).click();
        await waitForWarning(ax);
        assert.deepEqual(await posted(page), []);
        await ax.clickButton('Post anyway');
        await waitFor(async () => (await posted(page)).length > 0, { message: 'the post to reach the site' });
        await waitForNoWarning(ax);
        // The site cleared its composer after posting: its handler has finished.
        await waitFor(async () => (await editorText(page)).trim() === '', { message: 'the site to clear its composer' });
        assert.deepEqual(await posted(page), [EXAMPLE]);
        assert.equal(await submits(page), 1, "the site's submit handler ran more than once");
        assert.equal(await page.locator('#timeline .post').count(), 1);
      });
    });

    test('keyboard activation of the focused post control (Enter) is held too', T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, EXAMPLE);
        await waitForNote(ax, BARNSLEY_REF);
        await page.locator(site.submit).focus();
        await page.keyboard.press('Enter');
        await waitForWarning(ax);
        assert.deepEqual(await posted(page), [], 'Enter on the post control posted although it should be held');
        assert.equal(await submits(page), 0);
        await ax.clickButton('Edit post');
        await waitForNoWarning(ax);
        assert.equal(await editorText(page), EXAMPLE);
      });
    });

    test('a click straight after typing (before any mark is drawn) is held too', T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, EXAMPLE);
        await page.locator(site.submit).click();
        const warning = await waitForWarning(ax);
        assert.ok(warning.text.includes(BARNSLEY_REF), `warning text lacks the clause reference: ${warning.text}`);
        assert.deepEqual(await posted(page), []);
        assert.equal(await submits(page), 0);
      });
    });

    if (site.ctrlEnter) {
      test('Ctrl+Enter is held too; "Post anyway" then posts the text once', T, async () => {
        await withSite(id, async (page, ax) => {
          await typeInto(page, site, EXAMPLE);
          await waitForNote(ax, BARNSLEY_REF);
          await page.keyboard.press('Control+Enter');
          const warning = await waitForWarning(ax);
          assert.equal(warning.name, WARNING);
          assert.deepEqual(await posted(page), [], 'Ctrl+Enter posted although it should be held');
          assert.equal(await submits(page), 0);
          await ax.clickButton('Edit post');
          await waitForNoWarning(ax);
          await waitFor(() => focusInside(page, site), { message: 'focus back in the composer' });
          await page.keyboard.press('Control+Enter');
          await waitForWarning(ax);
          assert.deepEqual(await posted(page), []);
          await ax.clickButton('Post anyway');
          await waitFor(async () => (await posted(page)).length > 0, { message: 'the post to reach the site' });
          await waitFor(async () => (await editorText(page)).trim() === '', { message: 'the site to clear its composer' });
          assert.deepEqual(await posted(page), [EXAMPLE]);
          assert.equal(await submits(page), 1);
        });
      });
    }

    if (site.attach) {
      test('an attached image brings the images reminder (info); a clean post still goes straight through', T, async () => {
        await withSite(id, async (page, ax) => {
          await page.locator(site.attach).click();
          await typeInto(page, site, CLEAN);
          await waitForNote(ax, 'Images', IMAGES_REF);
          await page.locator(site.submit).click();
          await waitFor(async () => (await posted(page)).length > 0, { message: 'the clean post to reach the site' });
          assert.deepEqual(await posted(page), [CLEAN]);
          assert.equal(await ax.alertDialog(), null, 'an info reminder held the post');
        });
      });
    }

    if (!site.alias) {
      test('after single-page navigation the new composer is checked and held', T, async () => {
        await withSite(id, async (page, ax) => {
          await typeInto(page, site, CLEAN);
          await page.locator('#fixture-nav').click();
          await waitFor(() => page.url().endsWith('/fixture-next'), { message: 'the pushState navigation' });
          await openComposer(page, site);
          await typeInto(page, site, EXAMPLE);
          await waitForMarks(page, ax, site);
          await waitForNote(ax, BARNSLEY_REF);
          await page.locator(site.submit).click();
          const warning = await waitForWarning(ax);
          assert.ok(warning.text.includes(BARNSLEY_REF));
          assert.deepEqual(await posted(page), []);
          assert.equal(await submits(page), 0);
        });
      });
    }

    if (site.enterSends) {
      test('Enter in the comment box is held; "Post anyway" sends it once; a clean comment sends at once', T, async () => {
        await withSite(id, async (page, ax) => {
          await typeInto(page, site, EXAMPLE);
          await waitForNote(ax, BARNSLEY_REF);
          await page.keyboard.press('Enter');
          await waitForWarning(ax);
          assert.deepEqual(await posted(page), [], 'Enter sent the comment although it should be held');
          assert.equal(await submits(page), 0);
          await ax.clickButton('Post anyway');
          await waitFor(async () => (await posted(page)).length > 0, { message: 'the comment to reach the site' });
          await waitForNoWarning(ax);
          assert.deepEqual(await posted(page), [EXAMPLE]);
          assert.equal(await submits(page), 1);
          await typeInto(page, site, CLEAN);
          await page.keyboard.press('Enter');
          await waitFor(async () => (await posted(page)).length > 1, { message: 'the clean comment to reach the site' });
          assert.deepEqual(await posted(page), [EXAMPLE, CLEAN]);
          assert.equal(await ax.alertDialog(), null);
        });
      });
    }

    test('a finding dismissed in the popup is gone from the marks and no longer holds; only its hash is stored', T, async () => {
      await withSite(id, async (page, ax) => {
        try {
          await typeInto(page, site, EXAMPLE);
          await waitForNote(ax, BARNSLEY_REF);
          const popup = await h.openPopup(page);
          try {
            await waitFor(async () => (await popup.getByRole('button', { name: /^Dismiss/ }).count()) > 0, { message: 'findings listed in the popup' });
            assert.ok((await popup.locator('#findings').innerText()).includes(TITLE));
            assert.ok((await popup.locator('#council').innerText()).includes('Barnsley MBC'));
            const dismissButtons = popup.getByRole('button', { name: /^Dismiss/ });
            for (let n = await dismissButtons.count(); n > 0; n = await dismissButtons.count()) {
              await dismissButtons.first().click();
              await waitFor(async () => (await dismissButtons.count()) < n, { message: 'the dismissed finding to leave the list' });
            }
          } finally {
            await popup.close();
          }
          const stored = await h.localState();
          assert.ok(stored.dismissed.length > 0 && stored.dismissed.every((x) => /^[0-9a-f]{64}$/.test(x)), 'hashes stored');
          assert.ok(!JSON.stringify(stored).toLowerCase().includes('between'), 'the text is not stored');
          await waitFor(async () => (await marksOn(page, ax, site)).boxes.length === 0, { message: 'the marks to go' });
          await page.bringToFront();
          await page.locator(site.submit).click();
          await waitFor(async () => (await posted(page)).length > 0, { message: 'the post to go straight through' });
          assert.deepEqual(await posted(page), [EXAMPLE]);
          assert.equal(await ax.alertDialog(), null);
        } finally {
          await h.clearLocal();
        }
      });
    });

    test('the popup\'s per-site switch turns postcheck off and on for this site', T, async () => {
      await withSite(id, async (page, ax) => {
        try {
          const popup = await h.openPopup(page);
          try {
            const sw = popup.getByRole('switch', { name: /^Check posts on / });
            await sw.waitFor();
            assert.equal(await sw.isChecked(), true);
            await sw.uncheck();
            await waitFor(async () => Object.keys((await h.localState()).sitesOff || {}).length === 1, { message: 'the switch stored' });
          } finally {
            await popup.close();
          }
          await page.bringToFront();
          await typeInto(page, site, EXAMPLE);
          await page.locator(site.submit).click();
          await waitFor(async () => (await posted(page)).length > 0, { message: 'the post to go through while switched off' });
          assert.deepEqual(await posted(page), [EXAMPLE]);
          assert.deepEqual((await marksOn(page, ax, site)).boxes, []);
        } finally {
          await h.clearLocal();
        }
        // Switched back on: the next draft is checked again.
        if (!(await page.locator(site.editor).count())) await openComposer(page, site);
        await typeInto(page, site, EXAMPLE);
        await waitForNote(ax, BARNSLEY_REF);
      });
    });

    test('changing the council in the options page re-cites the open draft without reload', T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, EXAMPLE);
        await waitForNote(ax, TITLE, BARNSLEY_REF);
        const navigations = [];
        page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
        try {
          await h.setOptions(SHEFFIELD);
          const note = await waitForNote(ax, SHEFFIELD_DOC);
          assert.ok(!note.includes(BARNSLEY_REF), `the note still cites Barnsley: ${note}`);
          await page.locator(site.submit).click();
          const warning = await waitForWarning(ax);
          assert.ok(warning.text.includes(SHEFFIELD_DOC), `warning does not cite Sheffield: ${warning.text}`);
          assert.deepEqual(await posted(page), []);
          // Close the (modal) warning: while it is open the rest of the UI is outside the AX tree.
          await ax.clickButton('Edit post');
          await waitForNoWarning(ax);
          assert.deepEqual(navigations, [], 'the tab reloaded');
          assert.equal(await editorText(page), EXAMPLE);
        } finally {
          await h.setOptions(BARNSLEY);
        }
        await waitForNote(ax, BARNSLEY_REF);
      });
    });

    test('a clean draft posts on the first click with no warning', T, async () => {
      await withSite(id, async (page, ax) => {
        await typeInto(page, site, CLEAN);
        await page.locator(site.submit).click();
        await waitFor(async () => (await posted(page)).length > 0, { message: 'the clean post to reach the site' });
        assert.deepEqual(await posted(page), [CLEAN]);
        assert.equal(await submits(page), 1);
        assert.equal(await ax.alertDialog(), null, 'a warning was shown for a clean draft');
        assert.deepEqual((await marksOn(page, ax, site)).boxes, [], 'a clean draft has marks');
      });
    });
  });
}

describe('other public fields', () => {
  test('facebook: Enter in a comment box is held; "Post anyway" sends it once', T, async () => {
    await withSite('facebook', async (page, ax) => {
      const box = page.locator('[role=textbox][aria-label="Write a comment…"]');
      await box.click();
      await page.keyboard.type(EXAMPLE, { delay: 5 });
      await waitForNote(ax, BARNSLEY_REF);
      await page.keyboard.press('Enter');
      await waitForWarning(ax);
      assert.deepEqual(await posted(page), []);
      assert.equal(await submits(page), 0);
      await ax.clickButton('Post anyway');
      await waitFor(async () => (await posted(page)).length > 0, { message: 'the comment to reach the site' });
      await waitFor(async () => (await page.evaluate(() => window.__commentText())) === '', { message: 'the comment box to clear' });
      assert.deepEqual(await posted(page), [EXAMPLE]);
      assert.equal(await submits(page), 1);
    });
  });

  test('instagram: a caption beside a photo gets the images reminder and shares without a hold', T, async () => {
    await withSite('instagram', async (page, ax) => {
      await page.locator('#ig-create').click();
      const caption = page.locator('[role=dialog] [role=textbox][contenteditable=true]');
      await caption.click();
      await page.keyboard.type(CLEAN, { delay: 5 });
      await waitForNote(ax, 'Images', IMAGES_REF);
      await page.locator('[role=dialog] [role=button]:has-text("Share")').click();
      await waitFor(async () => (await posted(page)).length > 0, { message: 'the caption to be shared' });
      assert.deepEqual(await posted(page), [CLEAN]);
      assert.equal(await ax.alertDialog(), null);
    });
  });

  test('instagram: a caption with findings is held at "Share"', T, async () => {
    await withSite('instagram', async (page, ax) => {
      await page.locator('#ig-create').click();
      await page.locator('[role=dialog] [role=textbox][contenteditable=true]').click();
      await page.keyboard.type(EXAMPLE, { delay: 5 });
      await waitForNote(ax, BARNSLEY_REF);
      await page.locator('[role=dialog] [role=button]:has-text("Share")').click();
      await waitForWarning(ax);
      assert.deepEqual(await posted(page), []);
      assert.equal(await submits(page), 0);
    });
  });

  test("mastodon: the content warning is checked and holds the post", T, async () => {
    await withSite('mastodon', async (page, ax) => {
      await page.locator('#cw-spoiler-input').click();
      await page.keyboard.type(EXAMPLE, { delay: 5 });
      await waitForNote(ax, BARNSLEY_REF);
      await page.locator(SITES.mastodon.editor).focus(); // (the note may sit over the box below the CW field)
      await page.keyboard.type(CLEAN, { delay: 5 });
      await page.locator(SITES.mastodon.submit).click();
      const warning = await waitForWarning(ax);
      assert.ok(warning.text.includes(BARNSLEY_REF));
      assert.deepEqual(await posted(page), []);
      assert.equal(await submits(page), 0);
    });
  });
});

describe('popup', () => {
  test('"Pause for 1 hour" stops checking everywhere until "Resume now"', T, async () => {
    await withSite('x', async (page, ax) => {
      try {
        const popup = await h.openPopup(page);
        try {
          await popup.getByRole('button', { name: 'Pause for 1 hour' }).click();
          await popup.getByRole('button', { name: 'Resume now' }).waitFor();
          assert.match(await popup.locator('#pause-state').innerText(), /^Paused until \d\d:\d\d\.$/);
        } finally {
          await popup.close();
        }
        await page.bringToFront();
        await typeInto(page, SITES.x, EXAMPLE);
        await page.locator(SITES.x.submit).click();
        await waitFor(async () => (await posted(page)).length > 0, { message: 'the post to go through while paused' });
        const popup2 = await h.openPopup(page);
        try {
          await popup2.getByRole('button', { name: 'Resume now' }).click();
          await popup2.getByRole('button', { name: 'Pause for 1 hour' }).waitFor();
        } finally {
          await popup2.close();
        }
        await page.bringToFront();
        await typeInto(page, SITES.x, EXAMPLE);
        await waitForNote(ax, BARNSLEY_REF);
      } finally {
        await h.clearLocal();
      }
    });
  });
});

describe('the background may stop at any moment', () => {
  for (const id of ['x', 'mastodon', 'reddit']) {
    test(`${SITES[id].name}: after the service worker is stopped, the draft is re-checked and still held`, T, async () => {
      await withSite(id, async (page, ax) => {
        const site = SITES[id];
        await typeInto(page, site, EXAMPLE);
        await waitForNote(ax, BARNSLEY_REF);
        await h.stopServiceWorker();
        await page.bringToFront();
        await page.keyboard.type(' today', { delay: 5 });
        await waitFor(async () => (await editorText(page)) === `${EXAMPLE} today`, { message: 'the draft intact' });
        await waitForMarks(page, ax, site);
        await waitForNote(ax, BARNSLEY_REF);
        await page.locator(site.submit).click();
        await waitForWarning(ax);
        assert.deepEqual(await posted(page), []);
        assert.equal(await editorText(page), `${EXAMPLE} today`);
      });
    });
  }
});

describe('nothing leaves the device', () => {
  test('no request to any host but the fixture sites and the extension; no CSP violation', T, async () => {
    // Exercise every site once more so this test stands alone when run with --test-name-pattern.
    for (const id of Object.keys(SITES)) {
      await withSite(id, async (page, ax) => {
        await typeInto(page, SITES[id], EXAMPLE);
        await waitForNote(ax, BARNSLEY_REF);
      });
    }
    assert.deepEqual(h.foreignRequests().map((r) => r.url), [], 'requests to other hosts');
    assert.deepEqual(h.aborted, [], 'requests that had to be aborted');
    assert.deepEqual(h.cspReportRequests().map((r) => r.url), [], 'CSP violation report requests');
    assert.deepEqual(h.cspReports, [], 'CSP violation reports');
    assert.deepEqual(violations, [], 'securitypolicyviolation events');
    assert.deepEqual(cspUnread, [], 'pages whose securitypolicyviolation recorder could not be read');
    assert.deepEqual([...cspRead].sort(), Object.keys(SITES).sort(), 'every site had its securitypolicyviolation events read');
    assert.deepEqual(h.cspConsole, [], 'CSP console messages');
  });
});

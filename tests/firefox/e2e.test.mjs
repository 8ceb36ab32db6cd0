// The browser suite in Firefox (firefox-esr, puppeteer-core over WebDriver BiDi) on three sites:
// x.com (Draft.js), www.facebook.com (Lexical), mastodon.social (textarea). Marking (drawn in the
// closed shadow root, invisible to the page), holding,
// "Edit post" (Escape), "Post anyway" (keyboard), a clean post, and nothing leaving the device.
// The warning lives in a closed shadow root; here it is driven with the keyboard, as a keyboard
// user would (focus starts on "Edit post"; Tab moves to "Post anyway").
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchFirefox, firefoxAvailable, SITES, waitFor, type, posted, submits, editorText, marksOn, pageSees } from './harness.mjs';
import { EXAMPLE, CLEAN } from '../browser/harness.mjs';

const T = { timeout: 90_000 };
const skip = !(await firefoxAvailable()) && 'firefox-esr or dist/chrome not available';
let ff;

describe('Firefox (firefox-esr)', { skip }, () => {
  before(async () => {
    ff = await launchFirefox({ settings: { council: 'barnsley', mode: 'personal', roles: [] } });
  });
  after(async () => { if (ff) await ff.close(); });

  for (const id of ['x', 'facebook', 'mastodon']) {
    const site = SITES[id];
    test(`${site.name}: marked, held at Post, "Edit post" keeps the draft, "Post anyway" posts it once`, T, async () => {
      const page = await ff.openSite(id);
      try {
        await type(page, site, EXAMPLE);
        // Drawn over the cues (every site: the marks are boxes in postcheck's closed shadow root).
        const m = await waitFor(async () => {
          const x = await marksOn(page, site);
          const t = x.texts.join('|').toLowerCase();
          return t.includes('between us') && t.includes('tell') && x;
        }, { message: 'marks over the cues' });
        assert.equal(m.outside, 0, 'mark boxes outside the composer');
        assert.ok(m.boxes.every((b) => b.ariaHidden && b.pointerEvents === 'none'), 'marks are aria-hidden and take no pointer events');
        // The page's own scripts see none of it (failed before: CSS.highlights held every flagged range).
        assert.deepEqual(await pageSees(page, site), { highlights: [], found: [], hostShadowRoot: false, atWords: 0 });
        // A check has answered when the click is held; retry the click until the warning holds it
        // (before the first answer the guard holds too, then warns).
        await page.click(site.submit);
        // Held: the site's handler did not run.
        await new Promise((r) => setTimeout(r, 300));
        assert.deepEqual(await posted(page), [], 'the post went through although it has findings');
        assert.equal(await submits(page), 0);
        // Escape = "Edit post": the draft is still there.
        await page.keyboard.press('Escape');
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(await editorText(page), EXAMPLE);
        assert.deepEqual(await posted(page), []);
        // Held again; Tab to "Post anyway", Enter.
        await page.click(site.submit);
        await new Promise((r) => setTimeout(r, 300));
        assert.deepEqual(await posted(page), []);
        await page.keyboard.press('Tab');
        await page.keyboard.press('Enter');
        await waitFor(async () => (await posted(page)).length > 0, { message: 'the post after "Post anyway"' });
        assert.deepEqual(await posted(page), [EXAMPLE]);
        assert.equal(await submits(page), 1);
      } finally {
        await page.close();
      }
    });

    test(`${site.name}: a clean draft posts on the first click`, T, async () => {
      const page = await ff.openSite(id);
      try {
        await type(page, site, CLEAN);
        await page.click(site.submit);
        await waitFor(async () => (await posted(page)).length > 0, { message: 'the clean post' });
        assert.deepEqual(await posted(page), [CLEAN]);
        assert.deepEqual((await marksOn(page, site)).boxes, [], 'a clean draft has marks');
      } finally {
        await page.close();
      }
    });
  }

  test('nothing but the fixture sites was requested', () => {
    assert.deepEqual(ff.aborted, []);
  });
});

// IME composition (contract: the guard never holds during IME composition). Text is composed with
// CDP Input.imeSetComposition, as an input method does (composition events, a marked composition
// range); Enter and Ctrl+Enter are pressed while composing (keydown with isComposing and keyCode
// 229, as Chromium sends them to a page while an IME owns the key); the composition is then
// committed (Input.insertText). Asserts: the guard let those keys pass (a main-world listener behind
// it saw them), no warning opened, the committed text is intact in the editor, nothing was posted;
// and once the composition has ended, the (breaching) draft is still held at Post.
// A composition whose compositionend never reaches the composer (dispatched elsewhere, focus moved,
// or no end at all before the next ordinary input) must not leave the composer "composing": the
// breaching draft is held at Post, by click and by Ctrl+Enter.
//
//   node --test --test-concurrency=1 tests/browser/ime.test.mjs
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, SITES, EXAMPLE, AX, waitFor, typeInto, posted, editorText } from './harness.mjs';

const BARNSLEY = { council: 'Barnsley MBC', councilId: 'barnsley', account: 'Personal account' };
const T = { timeout: 90_000 };
const COMPOSED = '日本語';
const STEPS = ['に', 'にほ', 'にほん', '日本', '日本語']; // what the IME shows while the user types

let h;
before(async () => {
  h = await launch();
  await h.setOptions(BARNSLEY);
});
after(async () => {
  if (h) await h.close();
});

/** Main world: record every keydown that reaches the document (i.e. postcheck did not stop it). */
async function recordKeys(page) {
  await page.evaluate(() => {
    window.__keys = [];
    document.addEventListener('keydown', (e) => {
      window.__keys.push({ key: e.key, keyCode: e.keyCode, isComposing: e.isComposing, ctrl: e.ctrlKey, prevented: e.defaultPrevented });
    }, true);
    window.__compositions = [];
    for (const type of ['compositionstart', 'compositionend']) {
      document.addEventListener(type, (e) => window.__compositions.push({ type, data: e.data }), true);
    }
  });
}

/** A key pressed while the IME is composing: keyCode 229 (the IME owns the key). */
async function composingKey(cdp, { ctrl = false } = {}) {
  const base = { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 229, nativeVirtualKeyCode: 229, modifiers: ctrl ? 2 : 0 };
  await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...base });
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...base });
}

for (const id of ['x', 'mastodon']) {
  const site = SITES[id];
  describe(`IME composition on ${site.name}`, () => {
    test('Enter / Ctrl+Enter while composing are never held; the composition commits intact; then Post is held', T, async () => {
      const page = await h.openSite(id);
      const ax = await AX.of(page);
      const cdp = await page.context().newCDPSession(page);
      try {
        await recordKeys(page);
        // A breaching draft first, checked and marked: the guard would hold it at Post.
        await typeInto(page, site, `${EXAMPLE} `);
        await waitFor(async () => (await ax.statusText()).includes('Confidential information'), { message: 'the note for the example' });

        for (const text of STEPS) {
          await cdp.send('Input.imeSetComposition', { text, selectionStart: text.length, selectionEnd: text.length });
        }
        await waitFor(() => page.evaluate(() => window.__compositions.some((c) => c.type === 'compositionstart')), { message: 'compositionstart' });

        // Enter and Ctrl+Enter while composing (the IME uses them to convert / commit).
        const before = await page.evaluate(() => window.__keys.length);
        await composingKey(cdp, { ctrl: true });
        await composingKey(cdp);
        const keys = await waitFor(async () => {
          const k = await page.evaluate(() => window.__keys.slice());
          return k.length >= before + 2 && k.slice(before);
        }, { message: 'both keydowns to reach the page past postcheck' });
        for (const k of keys) {
          assert.ok(k.isComposing || k.keyCode === 229, `a key during composition: ${JSON.stringify(k)}`);
          assert.equal(k.prevented, false, `postcheck cancelled a key during composition: ${JSON.stringify(k)}`);
        }
        assert.equal(await ax.alertDialog(), null, 'a warning opened during composition');

        // Commit the composition.
        await cdp.send('Input.insertText', { text: COMPOSED });
        await waitFor(() => page.evaluate(() => window.__compositions.some((c) => c.type === 'compositionend')), { message: 'compositionend' });
        const want = `${EXAMPLE} ${COMPOSED}`;
        await waitFor(async () => (await editorText(page)) === want, { message: `the editor to hold "${want}"` });
        assert.equal(await ax.alertDialog(), null, 'a warning opened when the composition was committed');
        assert.deepEqual(await posted(page), [], 'something was posted during composition');

        // After the composition: the breaching draft is held at Post.
        await page.locator(site.submit).click();
        const d = await waitFor(() => ax.alertDialog(), { message: 'the warning at Post after composition' });
        assert.match(d.text, /Check before you post/);
        assert.deepEqual(await posted(page), [], 'the breaching draft was posted');
        assert.equal(await editorText(page), want, 'the draft changed when it was held');
      } finally {
        await cdp.detach().catch(() => {});
        await ax.detach();
        await page.close();
      }
    });
  });
}

/**
 * Main world: a compositionstart at the editor, as an input method sends it (no end follows here).
 * postcheck's capture listener on window sees it first; a capture listener on document then stops
 * it, so the site's editor (Draft.js would enter its own composition mode and swallow the next
 * keys) never sees this synthetic event — only postcheck's composition state is under test.
 */
async function startComposition(page, site) {
  await page.evaluate((sel) => {
    if (!window.__stopSynthetic) {
      window.__stopSynthetic = true;
      for (const type of ['compositionstart', 'compositionend']) {
        document.addEventListener(type, (e) => { if (!e.isTrusted) e.stopPropagation(); }, true);
      }
    }
    document.querySelector(sel).dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true, composed: true, data: '' }));
  }, site.editor);
}

for (const id of ['x', 'mastodon']) {
  const site = SITES[id];
  describe(`missed compositionend on ${site.name}`, () => {
    test('compositionend elsewhere, blur, or the next ordinary input end the composition: Post is held', T, async () => {
      const page = await h.openSite(id);
      const ax = await AX.of(page);
      try {
        await typeInto(page, site, `${EXAMPLE} `);
        await waitFor(async () => (await ax.statusText()).includes('Confidential information'), { message: 'the note for the example' });
        const held = async (how) => {
          const d = await waitFor(() => ax.alertDialog(), { message: `the warning at Post (${how})` });
          assert.match(d.text, /Check before you post/, how);
          assert.deepEqual(await posted(page), [], `the breaching draft was posted (${how})`);
          await ax.clickButton('Edit post');
          await waitFor(async () => (await ax.alertDialog()) === null, { message: 'the warning to close' });
        };

        // 1. The composition ends at another element (focus moved into a popup, say).
        await startComposition(page, site);
        await page.evaluate(() => document.body.dispatchEvent(new CompositionEvent('compositionend', { bubbles: true, composed: true, data: '' })));
        await page.keyboard.press('Control+Enter'); // no blur: only the compositionend elsewhere ends it
        await held('compositionend at another element');

        // 2. No compositionend at all; the composer loses focus (here: to Post itself).
        await startComposition(page, site);
        await page.locator(site.submit).click();
        await held('blur');

        // 3. No compositionend; the next input is an ordinary one; Post by Ctrl+Enter (no blur).
        await page.keyboard.press('Control+End'); // focus is back in the draft (Edit post), caret to its end
        await startComposition(page, site);
        await page.keyboard.type('x');
        await page.keyboard.press('Control+Enter');
        await held('an ordinary input after it');
        assert.equal(await editorText(page), `${EXAMPLE} x`, 'the draft changed');
      } finally {
        await ax.detach();
        await page.close();
      }
    });
  });
}

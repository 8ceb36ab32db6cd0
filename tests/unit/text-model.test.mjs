// Text model tests: DOM shapes that Draft.js, Lexical and plain contenteditables produce →
// the plain text as typed, and UTF-16 spans → DOM Ranges covering exactly those characters.
// Runs the real module in Chromium (the DOM is the thing under test):
//   node --test tests/unit/text-model.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
let browser, page;

before(async () => {
  const out = await build({
    stdin: {
      contents: "import * as tm from './text-model.js'; window.tm = tm;",
      resolveDir: fileURLToPath(new URL('../../extension/content/', import.meta.url)),
    },
    bundle: true, format: 'iife', write: false, logLevel: 'error',
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
  page = await browser.newPage();
  await page.setContent('<!doctype html><body></body>');
  await page.addScriptTag({ content: out.outputFiles[0].text });
});
after(async () => { await browser?.close(); });

/** text of the model for some HTML, plus the text each [start,end) range covers */
async function model(html, spans = []) {
  return page.evaluate(({ html, spans }) => {
    document.body.innerHTML = `<div id="ed" contenteditable="true">${html}</div>`;
    const m = window.tm.readModel(document.getElementById('ed'));
    return { text: m.text, ranges: spans.map(([s, e]) => { const r = window.tm.rangeFor(m, s, e); return r ? r.toString() : null; }) };
  }, { html, spans });
}

test('Draft.js blocks: one line each; the placeholder <br> of an empty block is no text', async () => {
  const block = (inner) => `<div data-block="true"><div class="public-DraftStyleDefault-block"><span>${inner}</span></div></div>`;
  const html = `<div data-contents="true">${block('<span data-text="true">hello</span>')}${block('<br data-text="true">')}${block('<span data-text="true">between us</span>')}</div>`;
  const m = await model(html, [[7, 17]]);
  assert.equal(m.text, 'hello\n\nbetween us');
  assert.deepEqual(m.ranges, ['between us']);
  assert.equal((await model(`<div data-contents="true">${block('<br data-text="true">')}</div>`)).text, '');
});

test('Lexical paragraphs, line breaks and the terminating <br>', async () => {
  const m = await model('<p><span data-lexical-text="true">a</span><br><span data-lexical-text="true">b</span></p><p><br></p><p><span data-lexical-text="true">c</span><br><br></p>');
  assert.equal(m.text, 'a\nb\n\nc\n');
  assert.equal((await model('<p><br></p>')).text, '');
});

test('plain contenteditable: text then blocks; contenteditable=false decorations skipped', async () => {
  assert.equal((await model('first<div>second</div><div><br></div><div>fourth</div>')).text, 'first\nsecond\n\nfourth');
  assert.equal((await model('a <span contenteditable="false">@widget</span>b')).text, 'a b');
});

test('spans are UTF-16 code units (astral characters count two) and may cross nodes', async () => {
  const m = await model('<p><span>🎉 betw</span><b>een</b><span> us</span></p><p>x</p>', [[3, 13], [14, 15], [0, 2]]);
  assert.equal(m.text, '🎉 between us\nx');
  assert.deepEqual(m.ranges, ['between us', 'x', '🎉']);
});

test('zero-width characters are kept', async () => {
  assert.equal((await model('<p>a\u200bb</p>')).text, 'a\u200bb');
});

test('textarea: the value, no ranges', async () => {
  const r = await page.evaluate(() => {
    document.body.innerHTML = '<textarea id="t"></textarea>';
    const ta = document.getElementById('t');
    ta.value = 'line 1\nline 2';
    const m = window.tm.readModel(ta);
    return { text: m.text, field: m.isField, range: window.tm.rangeFor(m, 0, 4) };
  });
  assert.deepEqual(r, { text: 'line 1\nline 2', field: true, range: null });
});

// Where the inline note goes: never over the composer being typed in, nor over the other fields of
// the same form (Mastodon: the content-warning field and the post text), nor the Post button. Checked
// on x.com (Draft.js), www.facebook.com (Lexical) and mastodon.social (textarea and the content-warning
// field), at the usual window size and in a narrow one (no room beside the form).
//
//   node --test --test-concurrency=1 tests/browser/placement.test.mjs
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, SITES, EXAMPLE, AX, waitFor } from './harness.mjs';

const BARNSLEY = { council: 'Barnsley MBC', councilId: 'barnsley', account: 'Personal account' };
const T = { timeout: 60_000 };
let h;
before(async () => {
  h = await launch();
  await h.setOptions(BARNSLEY);
});
after(async () => { if (h) await h.close(); });

/** The note's border box (the role=status region in the closed shadow root), from CDP. */
async function noteBox(ax) {
  const [status] = await waitFor(async () => {
    const found = await ax.query({ role: 'status' });
    for (const n of found) if ((await ax.text(n)).includes('Confidential information')) return [n];
    return null;
  }, { message: 'the note' });
  const { model } = await ax.cdp.send('DOM.getBoxModel', { backendNodeId: status.backendDOMNodeId });
  const xs = [0, 2, 4, 6].map((i) => model.border[i]);
  const ys = [1, 3, 5, 7].map((i) => model.border[i]);
  return { left: Math.min(...xs), top: Math.min(...ys), right: Math.max(...xs), bottom: Math.max(...ys) };
}

const intersects = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

const CASES = [
  { id: 'x', field: SITES.x.editor, others: [SITES.x.submit] },
  { id: 'facebook', field: SITES.facebook.editor, others: [SITES.facebook.submit] },
  { id: 'mastodon', field: SITES.mastodon.editor, others: ['#cw-spoiler-input', SITES.mastodon.submit], name: 'post text' },
  { id: 'mastodon', field: '#cw-spoiler-input', others: [SITES.mastodon.editor, SITES.mastodon.submit], name: 'content warning' },
];

for (const width of [1100, 560]) {
  describe(`window ${width} px wide`, () => {
    for (const c of CASES) {
      test(`${SITES[c.id].name}${c.name ? ` (${c.name})` : ''}: the note covers neither the field typed in nor the form's other fields`, T, async () => {
        const page = await h.openSite(c.id);
        await page.setViewportSize({ width, height: 800 });
        const ax = await AX.of(page);
        try {
          await page.locator(c.field).click();
          await page.keyboard.type(EXAMPLE, { delay: 2 });
          // Let layout settle: the same box twice in a row.
          let last = null;
          const note = await waitFor(async () => {
            const b = await noteBox(ax);
            const same = last && JSON.stringify(b) === JSON.stringify(last);
            last = b;
            return same && b;
          }, { message: 'the note in a stable place' });
          assert.ok(note.right - note.left > 100 && note.bottom - note.top > 20, `note box ${JSON.stringify(note)}`);
          for (const sel of [c.field, ...c.others]) {
            const box = await page.locator(sel).evaluate((el) => {
              const r = el.getBoundingClientRect();
              return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
            });
            assert.ok(!intersects(note, box), `the note ${JSON.stringify(note)} covers ${sel} ${JSON.stringify(box)}`);
          }
        } finally {
          await ax.detach();
          await page.close();
        }
      });
    }
  });
}

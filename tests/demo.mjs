// The demo: Chromium + the built extension on the x.com fixture, showing a held post.
//   node tests/demo.mjs            (after bash scripts/build.sh; or run bash scripts/demo.sh)
// Headless when there is no $DISPLAY, headed otherwise (POSTCHECK_HEADLESS=1 forces headless).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { launch, SITES, EXAMPLE, AX, ROOT, waitFor, typeInto, posted } from './browser/harness.mjs';

const headless = !process.env.DISPLAY || process.env.POSTCHECK_HEADLESS === '1';
const out = path.join(ROOT, 'tests/output/demo.png');
const step = (s) => console.log(`demo: ${s}`);

const h = await launch({ headless });
let failed = false;
try {
  step(`Chromium ${headless ? '(headless)' : '(headed)'} with the extension ${h.extensionId}`);
  step('options page: Council = Barnsley MBC, Personal account');
  await h.setOptions({ council: 'Barnsley MBC', councilId: 'barnsley', account: 'Personal account' });

  const site = SITES.x;
  const page = await h.openSite('x');
  const ax = await AX.of(page);
  step(`${site.url}: typing "${EXAMPLE}"`);
  await typeInto(page, site, EXAMPLE);
  const note = await waitFor(async () => {
    const t = await ax.statusText();
    return /Social Networking Policy/.test(t) && t;
  }, { message: 'the note' });
  await mkdir(path.dirname(out), { recursive: true });
  const noteShot = path.join(path.dirname(out), 'demo-note.png');
  await page.screenshot({ path: noteShot }); // the marks and the note, before Post
  step('pressing Post');
  await page.locator(site.submit).click();
  const warning = await waitFor(() => ax.alertDialog(), { message: 'the held-post warning' });

  console.log('\n--- held-post warning (accessibility tree) ---');
  console.log(`role: alertdialog   name: ${warning.name}`);
  if (warning.node.description?.value) console.log(`description: ${warning.node.description.value}`);
  const buttons = (await ax.query({ role: 'button' })).map((b) => b.name?.value).filter((n) => n === 'Edit post' || n === 'Post anyway');
  console.log(`buttons: ${buttons.join(' | ')}`);
  console.log('\n--- note (role=status) ---');
  console.log(note);
  console.log(`\nposted by the site so far: ${JSON.stringify(await posted(page))}`);

  await page.screenshot({ path: out });
  console.log(`\nscreenshot: ${path.relative(process.cwd(), out) || out}`);
  console.log(`(before Post, the marks and the note: ${path.relative(process.cwd(), noteShot) || noteShot})`);

  if (!headless && process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    await new Promise((r) => rl.question('Press Enter to close the browser. ', r));
    rl.close();
  }
} catch (e) {
  failed = true;
  console.error(`demo: failed: ${e.message}`);
} finally {
  await h.close();
}
process.exit(failed ? 1 : 0);

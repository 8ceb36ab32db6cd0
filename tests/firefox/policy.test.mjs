// Managed policy in Firefox through its own mechanism: the enterprise policies file
// (/usr/lib/firefox-esr/distribution/policies.json) carrying the extension's `3rdparty` settings
// ("3rdparty" → "Extensions" → <add-on id>), which Firefox serves as storage.managed.
//
// Safety (another Firefox suite may run on this machine at the same time, and policies.json
// applies to every firefox-esr here): the extension under test is a copy of dist/chrome with a
// throw-away gecko id, the policy names that id only, an existing policies.json is never
// overwritten (the test skips), and the file is removed in `finally`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, cp, readFile, writeFile, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIREFOX, FirefoxHarness, startFirefox, firefoxAvailable, SITES, waitFor, type, posted, markedTexts, marksOn } from './harness.mjs';
import { EXTENSION_DIR, EXAMPLE } from '../browser/harness.mjs';

const POLICIES = process.env.FIREFOX_POLICIES || path.join(path.dirname(await realFirefox()), 'distribution', 'policies.json');

async function realFirefox() {
  // /usr/bin/firefox-esr is a symlink or wrapper; the distribution directory is next to the binary.
  for (const dir of ['/usr/lib/firefox-esr', path.dirname(FIREFOX)]) {
    try { await access(path.join(dir, 'firefox-esr')); return path.join(dir, 'firefox-esr'); } catch {}
  }
  return FIREFOX;
}

async function exists(p) {
  try { await access(p); return true; } catch { return false; }
}

const skip = !(await firefoxAvailable()) ? 'firefox-esr or dist/chrome not available'
  : (await exists(POLICIES)) ? `${POLICIES} exists already (not ours): not touched` : false;

test('Firefox policies.json 3rdparty: the council, disabledSites and severity reach the extension', { timeout: 120_000, skip }, async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'postcheck-ffpolicy-'));
  const geckoId = `policy-test-${randomBytes(6).toString('hex')}@tests.postcheck.invalid`;
  let browser;
  let wrote = false;
  try {
    const ext = path.join(work, 'ext');
    await cp(EXTENSION_DIR, ext, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(ext, 'manifest.json'), 'utf8'));
    manifest.browser_specific_settings.gecko.id = geckoId;
    await writeFile(path.join(ext, 'manifest.json'), JSON.stringify(manifest, null, 2));
    await mkdir(path.dirname(POLICIES), { recursive: true });
    await writeFile(POLICIES, JSON.stringify({
      policies: {
        '3rdparty': {
          Extensions: {
            [geckoId]: {
              council: 'barnsley', lockCouncil: true, accountMode: 'personal',
              disabledSites: ['mastodon'], severity: { profanity: 'off' }, electionDates: ['2026-13-45'],
            },
          },
        },
      },
    }, null, 2), { flag: 'wx' });
    wrote = true;
    const home = path.join(work, 'home');
    await mkdir(home);
    browser = await startFirefox({ home, extension: ext });
    const ff = new FirefoxHarness(browser, home);

    // x.com: no user settings at all, so findings prove the council came from the policy.
    const x = await ff.openSite('x');
    await type(x, SITES.x, EXAMPLE);
    await waitFor(async () => (await markedTexts(x, SITES.x)).join('|').toLowerCase().includes('between us'),
      { message: 'marks from the managed council', timeout: 20_000 });
    await x.click(SITES.x.submit);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await posted(x), [], 'held: the managed council applies');

    // mastodon: switched off by policy, so the same draft posts at once.
    const m = await ff.openSite('mastodon');
    await type(m, SITES.mastodon, EXAMPLE);
    await new Promise((r) => setTimeout(r, 1000));
    await m.click(SITES.mastodon.submit);
    await waitFor(async () => (await posted(m)).length === 1, { message: 'posted on a site disabled by policy' });
    assert.deepEqual((await marksOn(m, SITES.mastodon)).boxes, []);
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (wrote) await rm(POLICIES, { force: true });
    await rm(work, { recursive: true, force: true });
  }
});

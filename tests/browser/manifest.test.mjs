// The built extension's manifest: one build for Chrome, Edge and Firefox.
// - `web-ext lint` (Mozilla's addons-linter, run locally) reports 0 errors on dist/chrome.
// - Firefox keys sit beside the Chrome ones; no <all_urls>, no host permission beyond the sites.
//
//   node --test tests/browser/manifest.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT, EXTENSION_DIR, extensionBuilt, launch, waitFor } from './harness.mjs';

const WEB_EXT = path.join(ROOT, 'node_modules/web-ext/bin/web-ext.js');

function run(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, maxBuffer: 64 << 20, env: { ...process.env, WEB_EXT_TELEMETRY: 'false' } },
      (error, stdout, stderr) => resolve({ code: error ? error.code ?? 1 : 0, stdout, stderr }));
  });
}

test('web-ext lint reports 0 errors on the built extension', { timeout: 120_000 }, async () => {
  assert.ok(await extensionBuilt(), 'no built extension — run: bash scripts/build.sh');
  const { stdout, stderr } = await run(process.execPath, [WEB_EXT, 'lint', '--source-dir', EXTENSION_DIR, '--output', 'json', '--no-config-discovery']);
  let report;
  try { report = JSON.parse(stdout); } catch { assert.fail(`web-ext lint gave no JSON report: ${stdout.slice(0, 500)} ${stderr.slice(0, 500)}`); }
  const errors = report.errors.map((e) => `${e.code} ${e.file || ''}: ${e.message}`);
  assert.deepEqual(errors, [], 'web-ext lint errors');
  assert.equal(report.summary.errors, 0);
});

test('the manifest serves Chrome and Firefox and asks for no broad host access', async () => {
  const m = JSON.parse(await readFile(path.join(EXTENSION_DIR, 'manifest.json'), 'utf8'));
  assert.equal(m.manifest_version, 3);
  assert.equal(m.background.service_worker, 'background.js');
  assert.deepEqual(m.background.scripts, ['background.js'], 'Firefox runs the same bundle as an event page');
  const gecko = m.browser_specific_settings?.gecko;
  assert.ok(gecko && /@/.test(gecko.id), 'a gecko id');
  // CSS Custom Highlight API (marks) and data_collection_permissions both arrive in Firefox 140.
  assert.ok(parseFloat(gecko.strict_min_version) >= 140, `strict_min_version ${gecko.strict_min_version}`);
  assert.deepEqual(gecko.data_collection_permissions, { required: ['none'] });
  const all = JSON.stringify(m);
  assert.ok(!all.includes('<all_urls>'), 'no <all_urls>');
  // Broad patterns only as *optional* host permissions: another Mastodon instance is granted one
  // origin at a time, at the user's request (popup); nothing broad is granted at install.
  const installed = JSON.stringify({ ...m, optional_host_permissions: undefined });
  assert.ok(!/"\*:\/\/\*\/\*"|https:\/\/\*\/\*/.test(installed), 'no match-everything host pattern granted at install');
  assert.deepEqual(m.optional_host_permissions, ['https://*/*']);
  assert.deepEqual([...m.permissions].sort(), ['activeTab', 'scripting', 'storage']);
  const hosts = [...(m.host_permissions || []), ...m.content_scripts.flatMap((c) => c.matches)];
  for (const h of hosts) assert.match(h, /^https:\/\/[a-z0-9.-]+\/\*$/, `host pattern ${h} names one host`);
  for (const want of ['https://x.com/*', 'https://www.facebook.com/*', 'https://www.linkedin.com/*', 'https://www.instagram.com/*',
    'https://www.threads.com/*', 'https://www.threads.net/*', 'https://bsky.app/*', 'https://mastodon.social/*',
    'https://www.reddit.com/*', 'https://old.reddit.com/*', 'https://www.youtube.com/*']) {
    assert.ok(hosts.includes(want), `content script matches ${want}`);
  }
});

test('granted Mastodon instances: exact https origins only, minus the built-in sites', async () => {
  const { instanceMatches } = await import('../../extension/shared/instances.js');
  const builtIn = ['https://mastodon.social/*', 'https://x.com/*'];
  assert.deepEqual(instanceMatches(['https://mastodon.scot/*', 'https://mastodon.social/*', 'https://*/*', 'http://insecure.example/*', 'https://toot.wales/*', 'https://toot.wales/*'], builtIn),
    ['https://mastodon.scot/*', 'https://toot.wales/*']);
  assert.deepEqual(instanceMatches([], builtIn), []);
});

test('Chromium loads the manifest (Firefox keys included) with no install warning or manifest error', { timeout: 60_000 }, async () => {
  const h = await launch();
  try {
    // On install the extension opened its options page (the harness waited for it and closed
    // it), so the navigation below is not interrupted.
    assert.ok(h.installOptionsOpened, 'the options page opened on install');
    const page = await h.context.newPage();
    await page.goto('chrome://extensions/');
    const info = await page.evaluate((id) => new Promise((r) => chrome.developerPrivate.getExtensionInfo(id, r)), h.extensionId);
    assert.deepEqual(info.installWarnings, [], 'install warnings');
    assert.deepEqual(info.manifestErrors, [], 'manifest errors');
  } finally {
    await h.close();
  }
});

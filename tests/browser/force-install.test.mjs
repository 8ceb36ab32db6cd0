// Force-install, the way a council deploys a self-hosted package on Linux: scripts/package.sh signs
// a CRX3 + updates.xml with a throw-away key (made now, in a temp dir, never in the repository);
// both are served from a loopback HTTP server; Chromium — WITHOUT --load-extension — reads an
// `ExtensionSettings` force-install policy naming that update URL, plus the extension's `3rdparty`
// policy, from a private policy directory (harness privatePolicyChromium: its own mount namespace,
// so no other Chromium on this machine sees the policy; /etc/chromium/policies is not written).
//
// Measured with Debian Chromium 156 (docs/admin-guide.md "What the browsers honour"):
// - off-store force-install from http://127.0.0.1 is honoured on Linux with ExtensionSettings alone
//   (no ExtensionInstallSources / ExtensionAllowedTypes needed): Chromium fetches
//   updates.xml?…installsource=notfromwebstore&installedby=policy, then the CRX, and installs it
//   (location EXTERNAL_POLICY_DOWNLOAD, chrome.management installType "admin");
// - Playwright's default --disable-extensions stops it (no fetch at all), and so does
//   --disable-background-networking; `--host-resolver-rules=MAP * ~NOTFOUND` also blocks the
//   IP literal 127.0.0.1 (hence `EXCLUDE 127.0.0.1` in the harness for policy installs);
// - DevTools (so CDP, so Playwright) cannot see a force-installed extension's service worker or
//   pages unless DeveloperToolsAvailability is 1: its default forbids DevTools on extensions
//   installed by policy. The test sets it; a council's machines need not.
//
//   node --test tests/browser/force-install.test.mjs   (root: unshare --mount / mount --bind)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, readFile, writeFile, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  launch, waitFor, extensionBuilt, extensionIdOf, privatePolicyChromium, privatePolicyUnsupported,
  ROOT, EXAMPLE, AX, typeInto, posted, submits, SITES,
} from './harness.mjs';

const BARNSLEY_REF = 'Barnsley MBC Social Networking Policy 4.4';
const WARNING = 'Check before you post';

let work; // temp dir: key, packages, policy dir, wrapper
let id; // the throw-away key's extension id
let version;
let server;
let port;
const served = []; // requests the update server saw: {url, ua}
let why = null; // reason to skip

function run(cmd, args, env) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, maxBuffer: 64 << 20, env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? error.code ?? 1 : 0, stdout, stderr }));
  });
}

before(async () => {
  if (!(await extensionBuilt())) { why = 'no built extension — run: bash scripts/build.sh'; return; }
  why = privatePolicyUnsupported();
  if (why) return;
  work = await mkdtemp(path.join(tmpdir(), 'postcheck-force-'));
  // A throw-away signing key: PKCS#8 PEM, mode 600, in the temp dir only.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = path.join(work, 'throwaway.pem');
  await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  id = extensionIdOf(publicKey.export({ type: 'spki', format: 'der' }));

  const out = path.join(work, 'packages');
  server = createServer(async (req, res) => {
    served.push({ url: req.url, ua: req.headers['user-agent'] || '' });
    const name = decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1));
    if (!/^(updates\.xml|postcheck-[0-9.]+\.crx)$/.test(name)) { res.writeHead(404).end(); return; }
    try {
      const body = await readFile(path.join(out, name));
      res.writeHead(200, { 'content-type': name.endsWith('.xml') ? 'text/xml' : 'application/x-chrome-extension' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;

  const r = await run('bash', ['scripts/package.sh'], {
    POSTCHECK_SKIP_BUILD: '1', POSTCHECK_OUT: out, POSTCHECK_CRX_KEY: keyFile, POSTCHECK_CRX_URL: `http://127.0.0.1:${port}/`,
  });
  assert.equal(r.code, 0, `package.sh failed: ${r.stderr}`);
  assert.equal((await readFile(path.join(out, 'extension-id.txt'), 'utf8')).trim(), id, 'package.sh id = the key\'s id');
  version = JSON.parse(await readFile(path.join(ROOT, 'dist/chrome/manifest.json'), 'utf8')).version;
  assert.ok((await readdir(out)).includes(`postcheck-${version}.crx`));
});

after(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  if (work) await rm(work, { recursive: true, force: true });
});

test('ExtensionSettings force-installs the self-hosted CRX from a loopback update URL; 3rdparty locks Barnsley', { timeout: 180_000 }, async (t) => {
  if (why) return t.skip(why);
  const policyDir = path.join(work, 'chromium');
  const executablePath = await privatePolicyChromium(policyDir, {
    ExtensionSettings: { [id]: { installation_mode: 'force_installed', update_url: `http://127.0.0.1:${port}/updates.xml` } },
    '3rdparty': { extensions: { [id]: { council: 'barnsley', lockCouncil: true } } },
    // Without this, DevTools (and so the test) cannot reach a policy-installed extension.
    DeveloperToolsAvailability: 1,
  });
  const h = await launch({ extension: null, extensionId: id, executablePath });
  try {
    // Installed from the update server, under the throw-away key's id.
    assert.equal(h.extensionId, id);
    const check = served.find((r) => r.url.startsWith('/updates.xml'));
    assert.ok(check, `no update check reached the server: ${JSON.stringify(served)}`);
    const q = new URL(check.url, 'http://x').searchParams.get('x');
    assert.match(q, new RegExp(`id=${id}&v=0\\.0\\.0\\.0&installsource=notfromwebstore&installedby=policy`), 'an install by policy');
    assert.ok(served.some((r) => r.url === `/postcheck-${version}.crx`), `the CRX was fetched: ${JSON.stringify(served.map((r) => r.url))}`);

    // On install the extension opened its options page (the harness waited for it and closed it).
    assert.ok(h.installOptionsOpened, 'the options page opened on install');

    // The browser's own record: installed by policy (chrome.management: "admin"; extensions-internals).
    const ext = await h.extPage();
    const self = await ext.evaluate(() => chrome.management.getSelf());
    assert.equal(self.installType, 'admin');
    assert.equal(self.version, version);
    const internals = await h.context.newPage();
    try {
      await internals.goto('chrome://extensions-internals/');
      const list = await waitFor(async () => { try { return JSON.parse(await internals.locator('body').innerText()); } catch { return null; } }, { message: 'chrome://extensions-internals JSON' });
      const mine = list.find((e) => e.id === id);
      assert.ok(mine, 'listed in chrome://extensions-internals');
      assert.equal(mine.location, 'EXTERNAL_POLICY_DOWNLOAD');
      assert.deepEqual(mine.disable_reasons, []);
      // The only extensions: postcheck and Chromium's component ones (no --load-extension).
      assert.deepEqual(list.filter((e) => e.location !== 'COMPONENT').map((e) => e.id), [id]);
    } finally {
      await internals.close();
    }

    // The 3rdparty policy reached chrome.storage.managed.
    const area = await waitFor(async () => { const a = await ext.evaluate(() => chrome.storage.managed.get(null)); return a.council && a; }, { message: 'managed storage' });
    assert.deepEqual(area, { council: 'barnsley', lockCouncil: true });

    // Options page: Barnsley, locked.
    const options = await h.openOptions();
    try {
      const council = options.getByLabel('Council', { exact: true });
      await waitFor(async () => (await council.evaluate((el) => el.selectedOptions[0]?.textContent.trim())) === 'Barnsley MBC', { message: 'Barnsley shown' });
      assert.equal(await council.isDisabled(), true, 'council locked');
      assert.match(await options.locator('#managed-values dd[data-key=council]').textContent(), /Barnsley MBC/);
    } finally {
      await options.close();
    }

    // x.com fixture: the example draft is held, the warning cites Barnsley 4.4 (no options chosen by hand).
    const site = SITES.x;
    const page = await h.openSite('x');
    const ax = await AX.of(page);
    try {
      await typeInto(page, site, EXAMPLE);
      await waitFor(async () => (await ax.statusText()).includes(BARNSLEY_REF), { message: `a note citing ${BARNSLEY_REF}` });
      await page.locator(site.submit).click();
      const warning = await waitFor(() => ax.alertDialog(), { message: `an alertdialog "${WARNING}"` });
      assert.equal(warning.name, WARNING);
      assert.ok(warning.text.includes(BARNSLEY_REF), `warning text lacks ${BARNSLEY_REF}: ${warning.text}`);
      assert.deepEqual(await posted(page), [], 'held: the site did not post');
      assert.equal(await submits(page), 0);
    } finally {
      await ax.detach();
      await page.close();
    }
    assert.deepEqual(h.foreignRequests(), [], 'no page or extension request left the fixture sites');
  } finally {
    await h.close();
  }
});

// Managed policy in Chromium, through the browser's own mechanism: a policy file in
// /etc/chromium/policies/managed/ (as this Chromium sees it: a private directory mounted there) carrying the extension's `3rdparty` settings, read by Chromium
// at start-up and checked against extension/managed_schema.json before chrome.storage.managed
// sees it.
//
// Safety (other suites run Chromium on this machine at the same time, and a policy file in
// /etc/chromium/policies applies to every Chromium here): each test's Chromium gets its own policy
// directory through the harness's private mount namespace (privatePolicyChromium), so the real
// /etc/chromium/policies is never written. The extension under test is still a copy of dist/chrome
// whose manifest `key` is a throw-away key generated now (its own id), never the product's id.
// Needs root (unshare --mount, mount --bind); skipped otherwise.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, cp, readFile, writeFile, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  launch, waitFor, EXTENSION_DIR, EXAMPLE, extensionBuilt, extensionIdOf, privatePolicyChromium, privatePolicyUnsupported,
} from './harness.mjs';

export { extensionIdOf };

const REAL_MANAGED = '/etc/chromium/policies/managed'; // what every other process sees: left alone

let work;
let extDir;
let testId;
let unsupported = null;
let runs = 0;

before(async () => {
  if (!(await extensionBuilt())) return;
  unsupported = privatePolicyUnsupported();
  work = await mkdtemp(path.join(tmpdir(), 'postcheck-policy-'));
  extDir = path.join(work, 'ext');
  await cp(EXTENSION_DIR, extDir, { recursive: true });
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const manifest = JSON.parse(await readFile(path.join(extDir, 'manifest.json'), 'utf8'));
  const productKey = manifest.key;
  manifest.key = der.toString('base64');
  assert.notEqual(manifest.key, productKey);
  await writeFile(path.join(extDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  testId = extensionIdOf(der);
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs `fn(h)` in a fresh Chromium whose only policy is the 3rdparty policy for the throw-away id. */
async function withPolicy(settings, fn) {
  const executablePath = await privatePolicyChromium(path.join(work, `chromium-${++runs}`), {
    '3rdparty': { extensions: { [testId]: settings } },
  });
  const h = await launch({ extension: extDir, executablePath });
  try {
    assert.equal(h.extensionId, testId, 'the copy runs under the throw-away id');
    for (const f of await readdir(REAL_MANAGED).catch(() => [])) {
      assert.ok(!(await readFile(path.join(REAL_MANAGED, f), 'utf8').catch(() => '')).includes(testId), `the real ${REAL_MANAGED} names the test id (${f})`);
    }
    await fn(h);
  } finally {
    await h.close();
  }
}

const skip = () => (!extDir ? 'no built extension' : unsupported ? `no private policy directory: ${unsupported}` : false);

/** chrome.storage.managed as the extension sees it, and a check through the background. */
async function managedArea(page) {
  return page.evaluate(() => chrome.storage.managed.get(null));
}
async function check(page, text, site = 'x') {
  return page.evaluate(([t, s]) => chrome.runtime.sendMessage({ type: 'check', text: t, site: s, attachments: false }), [text, site]);
}
async function managedState(page) {
  return waitFor(async () => {
    const r = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'managed' }));
    return r && r.ok && r;
  }, { message: 'managed state from the background' });
}
const problemKeys = (page) => page.locator('#managed-problem-list li').evaluateAll((els) => els.map((e) => e.dataset.key));

const CUSTOM = {
  id: 'testshire',
  name: 'Testshire District Council',
  document: 'Testshire Social Media Policy (2026)',
  language: 'en',
  clauses: [
    { id: 'conf', label: '3.1', heading: 'Confidentiality', quote: 'Do not share confidential council information on social media.' },
    { id: 'respect', label: '3.2', heading: 'Respect', quote: 'Treat colleagues and residents with respect online.' },
    { id: 'time', label: '3.3', heading: 'Working time', quote: 'Do not use social media for personal reasons during working hours.' },
  ],
  categories: {
    'confidential-info': { grounds: [{ clauses: ['conf'] }] },
    bullying: { grounds: [{ clauses: ['respect'] }] },
    'working-time': { grounds: [{ clauses: ['time'] }] },
  },
  // the council's own rule (a project codename) and an exception, in the object forms the schema can carry
  rules: [{
    id: 'testshire.codename', category: 'confidential-info', patterns: ['(?:project )?nightjar'],
    message: '“{match}” is the name of an unannounced project.',
    examples: { fire: [{ text: 'Project Nightjar slips again' }], quiet: [{ text: 'nightjars roost on the heath' }] },
  }],
  exceptions: [{ text: 'Nightjar Close', categories: ['confidential-info'] }],
};

test('3rdparty policy: locked council, account type and roles; options page read-only', { timeout: 120_000 }, async (t) => {
  if (skip()) return t.skip(skip());
  await withPolicy({
    council: 'barnsley', lockCouncil: true, accountMode: 'official', lockAccountMode: true,
    roles: ['politically-restricted'], electionDates: ['2030-05-02'], severity: { 'confidential-info': 'block', 'working-time': 'warn' },
    // every day, all day: the core's working-time reminder is due whenever the test runs (Barnsley 5.1)
    workingHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' },
    mastodonHosts: ['mastodon.example.gov.uk', 'social.example.org', 'mastodon.social'],
  }, async (h) => {
    const page = await h.openOptions();
    try {
      const area = await waitFor(async () => { const a = await managedArea(page); return a.council && a; }, { message: 'managed storage' });
      assert.equal(area.council, 'barnsley');
      assert.equal(area.lockCouncil, true);
      const council = page.getByLabel('Council', { exact: true });
      await waitFor(async () => (await council.evaluate((el) => el.selectedOptions[0]?.textContent.trim())) === 'Barnsley MBC', { message: 'Barnsley shown' });
      assert.equal(await council.isDisabled(), true, 'council locked');
      assert.equal(await page.getByRole('radio', { name: 'Official council account', exact: true }).isChecked(), true);
      assert.equal(await page.getByRole('radio', { name: 'Personal account', exact: true }).isDisabled(), true, 'account type locked');
      assert.equal(await page.getByRole('checkbox', { name: /politically restricted/i }).isChecked(), true);
      assert.equal(await page.getByRole('checkbox', { name: /politically restricted/i }).isDisabled(), true);
      assert.equal(await page.locator('#managed-section').isVisible(), true);
      assert.match(await page.locator('#managed-values dd[data-key=council]').textContent(), /Barnsley MBC/);
      assert.match(await page.locator('#managed-values dd[data-key=electionDates]').textContent(), /2030-05-02/);
      assert.equal(await page.locator('#managed-problems').isHidden(), true, 'no problems listed');

      // The user's own stored choice does not override a locked council.
      await page.evaluate(() => chrome.storage.sync.set({ settings: { council: 'sheffield', mode: 'personal', roles: [] } }));
      const res = await waitFor(async () => { const r = await check(page, EXAMPLE); return r.ok && r.findings.length && r; }, { message: 'findings' });
      assert.equal(res.council.id, 'barnsley');
      const conf = res.findings.find((f) => f.category === 'confidential-info');
      assert.ok(conf, `confidential-info found: ${JSON.stringify(res.findings.map((f) => f.category))}`);
      assert.equal(conf.severity, 'block', 'managed severity applied');
      assert.ok(conf.clauses.every((c) => c.council === 'barnsley'));
      // official account (locked): no working-time reminder, which is for personal use at work
      assert.equal(res.findings.some((f) => f.category === 'working-time'), false, 'official mode: no reminder');

      // mastodonHosts: the council's servers, each with a one-click "Allow on <host>" until granted.
      // Headless Chromium cannot answer the permission prompt: chrome.permissions is stubbed in this
      // page (the click handler calls the stub, recording the origins asked for).
      await page.reload();
      const servers = page.getByRole('list', { name: 'Your council\'s servers' });
      await waitFor(async () => (await servers.getByRole('listitem').count()) === 3, { message: 'three council servers listed' });
      assert.deepEqual(await servers.getByRole('button').allTextContents(), ['Allow on mastodon.example.gov.uk', 'Allow on social.example.org']);
      assert.match(await servers.locator('li[data-host="mastodon.social"]').textContent(), /Allowed/, 'mastodon.social is checked anyway');
      await page.evaluate(() => {
        const granted = new Set();
        window.__requested = [];
        chrome.permissions.getAll = async () => ({ permissions: [], origins: [...granted] });
        chrome.permissions.request = async ({ origins }) => { window.__requested.push(origins); for (const o of origins) granted.add(o); return true; };
      });
      await servers.getByRole('button', { name: 'Allow on mastodon.example.gov.uk' }).click();
      await waitFor(async () => /Allowed/.test(await servers.locator('li[data-host="mastodon.example.gov.uk"]').textContent()), { message: 'granted host shown as allowed' });
      assert.deepEqual(await page.evaluate(() => window.__requested), [['https://mastodon.example.gov.uk/*']], 'exactly that origin requested');
      assert.deepEqual(await servers.getByRole('button').allTextContents(), ['Allow on social.example.org'], 'only the ungranted server keeps its button');
      await page.getByRole('status').filter({ hasText: 'postcheck now checks posts on mastodon.example.gov.uk.' }).first().waitFor();
    } finally {
      await page.close();
    }
  });
});

test('3rdparty policy: a council\'s own profile (customProfile) is validated, listed and used', { timeout: 120_000 }, async (t) => {
  if (skip()) return t.skip(skip());
  await withPolicy({
    council: 'testshire', lockCouncil: true, customProfile: CUSTOM, disabledSites: ['linkedin'],
    // every day, all day (end exclusive: a run at 23:59 would see no reminder)
    workingHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' },
    severity: { 'working-time': 'warn' },
  }, async (h) => {
    const page = await h.openOptions();
    try {
      const council = page.getByLabel('Council', { exact: true });
      await waitFor(async () => (await council.evaluate((el) => el.selectedOptions[0]?.textContent.trim())) === 'Testshire District Council', { message: 'Testshire selected' });
      assert.equal(await council.isDisabled(), true);
      const state = await managedState(page);
      assert.deepEqual(state.problems, []);
      assert.equal(state.policy.customProfileId, 'testshire');
      const res = await check(page, EXAMPLE);
      assert.equal(res.ok, true);
      assert.equal(res.council.id, 'testshire');
      const conf = res.findings.find((f) => f.category === 'confidential-info');
      assert.ok(conf, 'the custom profile grounds confidential-info');
      assert.equal(conf.clauses[0].quote, CUSTOM.clauses[0].quote);
      assert.equal(conf.clauses[0].reference, 'Testshire Social Media Policy (2026) 3.1');
      // the council's own rule, delivered through the policy, runs in the core; its exception holds
      const own = await check(page, 'Project Nightjar is late again, ring me on Nightjar Close');
      assert.deepEqual(own.findings.filter((f) => f.category !== 'working-time').map((f) => [f.rule, f.start, f.end]), [['testshire.codename', 0, 16]]);
      // working time (personal account, managed hours): raised by the core, citing the council's clause, at the managed severity
      const wt = own.findings.filter((f) => f.category === 'working-time');
      assert.deepEqual(wt.map((f) => [f.rule, f.severity, f.start, f.end, f.clauses[0].clause]), [['core.working-hours', 'warn', 0, 0, '3.3']]);
      assert.equal(own.findings.find((f) => f.rule === 'testshire.codename').clauses[0].reference, 'Testshire Social Media Policy (2026) 3.1');
      const off = await check(page, EXAMPLE, 'linkedin');
      assert.deepEqual(off.findings, [], 'disabledSites: no findings on linkedin');
    } finally {
      await page.close();
    }
  });
});

test('3rdparty policy: invalid values are listed by key and reason; the user\'s settings apply', { timeout: 120_000 }, async (t) => {
  if (skip()) return t.skip(skip());
  const broken = { ...CUSTOM, id: 'brokenshire', categories: { 'confidential-info': { grounds: [{ clauses: ['nope'] }] } } };
  await withPolicy({
    council: 'brokenshire', lockCouncil: true, customProfile: broken,
    accountMode: 'work', electionDates: ['2026-13-45'], severity: { profanity: 'loud' },
    lockAccountMode: 'yes', // wrong type: Chromium drops it against the schema
  }, async (h) => {
    const page = await h.openOptions();
    try {
      const area = await waitFor(async () => { const a = await managedArea(page); return a.council && a; }, { message: 'managed storage' });
      assert.equal('lockAccountMode' in area, false, 'Chromium dropped the wrong-typed value before the extension saw it');
      await page.evaluate(() => chrome.storage.sync.set({ settings: { council: 'sheffield', mode: 'personal', roles: [] } }));
      await page.reload();
      await page.locator('#managed-problems').waitFor();
      const keys = await problemKeys(page);
      for (const k of ['customProfile', 'council', 'accountMode', 'electionDates', 'severity']) assert.ok(keys.includes(k), `${k} listed: ${keys}`);
      const text = await page.locator('#managed-problem-list').textContent();
      assert.match(text, /customProfile: invalid profile: profile "brokenshire": categories\.confidential-info\.grounds\[0\]\.clauses\[0\]: unknown clause id "nope"/);
      assert.match(text, /council: unknown council "brokenshire"/);
      const council = page.getByLabel('Council', { exact: true });
      assert.equal(await council.isDisabled(), false, 'not locked: the lock had no valid council');
      await waitFor(async () => (await council.evaluate((el) => el.selectedOptions[0]?.textContent.trim())) === 'Sheffield City Council', { message: 'the user\'s council shown' });
      // Checking never stops: the user's council is used.
      const res = await check(page, EXAMPLE);
      assert.equal(res.ok, true);
      assert.equal(res.council.id, 'sheffield');
      assert.ok(res.findings.length > 0, 'still checking');
    } finally {
      await page.close();
    }
  });
});

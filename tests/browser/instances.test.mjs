// Options page, "Mastodon servers": host names are checked before the browser is asked (clear
// messages for a bad name, an empty box, a server postcheck checks anyway); the list shows the granted
// optional host origins and "Remove" gives one back. Headless Chromium cannot answer the browser's
// permission prompt, so the list is shown from a stubbed chrome.permissions (set before the page's
// scripts run). The registration the background runs on permissions.onAdded / onRemoved
// (shared/instances.js syncInstanceScripts) is run, as written, in an extension page against the real
// chrome.scripting with stubbed granted origins. Not exercised: the browser's prompt itself and the
// permissions.onAdded event firing in the background.
//
//   node --test --test-concurrency=1 tests/browser/instances.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { launch, waitFor, ROOT } from './harness.mjs';

const T = { timeout: 60_000 };
let h;
before(async () => { h = await launch(); });
after(async () => { if (h) await h.close(); });

async function openSection(page) {
  await page.goto(h.optionsUrl());
  await page.locator('#instances-section[data-ready=true]').waitFor({ state: 'attached' });
  return page.getByRole('region', { name: 'Mastodon servers' });
}

test('bad host names are rejected with a clear message, before the browser is asked', T, async () => {
  const page = await h.context.newPage();
  try {
    const section = await openSection(page);
    await section.getByText('No other servers added.').waitFor();
    const box = section.getByRole('textbox', { name: 'Server name' });
    const add = section.getByRole('button', { name: 'Add server' });
    const cases = [
      ['', /Type the server's name first/],
      ['mastodon scot', /“mastodon scot” is not a server name/],
      ['https://social.example.org/@someone', /is not a server name/],
      ['localhost', /is not a server name/],
      ['*.example.org', /is not a server name/],
      ['social.example.org:8443', /is not a server name/],
      ['mastodon.social', /postcheck already checks mastodon\.social/],
    ];
    for (const [value, message] of cases) {
      await box.fill(value);
      await add.click();
      const error = page.locator('#instance-error');
      await waitFor(async () => (await error.isVisible()) && message.test(await error.textContent()),
        { message: `the error for "${value}"` });
      assert.equal(await box.getAttribute('aria-invalid'), 'true');
      // The message is part of the box's accessible description.
      assert.match(await box.evaluate((el) => el.getAttribute('aria-describedby')), /instance-error/);
      await waitFor(async () => (await page.evaluate(() => document.activeElement && document.activeElement.id)) === 'instance-host',
        { message: 'focus back in the box' });
    }
    const { origins } = await page.evaluate(() => chrome.permissions.getAll());
    assert.deepEqual(origins.filter((o) => !o.includes('mastodon.social') && /^https:\/\/[^*]/.test(o) && o.includes('example')), []);
  } finally {
    await page.close();
  }
});

test('the list shows granted servers (not the built-in sites); Remove gives the permission back', T, async () => {
  const page = await h.context.newPage();
  try {
    // Stub the permissions API of this page only: two granted instances, a built-in site, a wildcard.
    await page.addInitScript(() => {
      if (!location.href.startsWith('chrome-extension://')) return;
      const granted = new Set(['https://mastodon.scot/*', 'https://social.example.org/*', 'https://mastodon.social/*', 'https://*/*']);
      window.__removed = [];
      chrome.permissions.getAll = async () => ({ permissions: [], origins: [...granted] });
      chrome.permissions.remove = async ({ origins }) => { for (const o of origins) { granted.delete(o); window.__removed.push(o); } return true; };
    });
    const section = await openSection(page);
    const items = section.getByRole('listitem');
    await waitFor(async () => (await items.count()) === 2, { message: 'two servers listed' });
    assert.deepEqual((await items.allTextContents()).map((s) => s.replace(/\s*Remove$/, '').trim()), ['mastodon.scot', 'social.example.org']);
    assert.ok(!(await section.getByText('No other servers added.').isVisible()));
    await section.getByRole('button', { name: 'Remove social.example.org' }).click();
    await waitFor(async () => (await items.count()) === 1, { message: 'one server left' });
    assert.deepEqual(await page.evaluate(() => window.__removed), ['https://social.example.org/*']);
    await section.getByRole('status').filter({ hasText: 'postcheck no longer checks posts on social.example.org.' }).waitFor();
  } finally {
    await page.close();
  }
});

test('registration follows the granted origins: registered for granted servers, unregistered when removed', T, async () => {
  const page = await h.context.newPage();
  try {
    await page.goto(h.optionsUrl());
    // The module's own code (it has no imports), evaluated in the extension page over CDP.
    const src = (await readFile(path.join(ROOT, 'extension/shared/instances.js'), 'utf8')).replace(/^export /gm, '');
    const run = (origins) => page.evaluate(`(async () => {
      ${src}
      chrome.permissions.getAll = async () => ({ permissions: [], origins: ${JSON.stringify(origins)} });
      const matches = await syncInstanceScripts();
      const registered = await chrome.scripting.getRegisteredContentScripts();
      return { matches, registered: registered.map((r) => ({ id: r.id, matches: r.matches, js: r.js, runAt: r.runAt })) };
    })()`);
    let r = await run(['https://mastodon.social/*', 'https://social.example.org/*', 'https://*/*', 'https://mastodon.scot/*']);
    assert.deepEqual(r.matches, ['https://mastodon.scot/*', 'https://social.example.org/*']);
    assert.deepEqual(r.registered, [{ id: 'postcheck-mastodon-instances', matches: ['https://mastodon.scot/*', 'https://social.example.org/*'],
      js: ['mastodon-instance.js', 'content.js'], runAt: 'document_start' }]);
    r = await run(['https://mastodon.social/*', 'https://mastodon.scot/*']);
    assert.deepEqual(r.registered.map((x) => x.matches), [['https://mastodon.scot/*']]);
    r = await run(['https://mastodon.social/*']);
    assert.deepEqual(r.registered, [], 'a script is still registered after the last server was removed');
  } finally {
    await page.close();
  }
});

test('the section in Welsh (language Cymraeg)', T, async () => {
  const page = await h.context.newPage();
  try {
    await openSection(page);
    await h.setOptions({ council: 'Barnsley MBC', councilId: 'barnsley' }, page); // a council first: settings save whole
    await page.locator('#language').selectOption('cy');
    await waitFor(async () => (await h.storedSettings(page))?.language === 'cy', { message: 'language cy stored' });
    const section = page.getByRole('region', { name: 'Gweinyddion Mastodon' });
    await section.getByText("Does dim gweinyddion eraill wedi'u hychwanegu.").waitFor();
    await section.getByRole('textbox', { name: "Enw'r gweinydd" }).fill('mastodon scot');
    await section.getByRole('button', { name: 'Ychwanegu gweinydd' }).click();
    await waitFor(async () => /^Dydy “mastodon scot” ddim yn enw gweinydd\./.test(await page.locator('#instance-error').textContent()),
      { message: 'the Welsh error' });
  } finally {
    await page.evaluate(() => chrome.storage.sync.get('settings').then(({ settings }) => chrome.storage.sync.set({ settings: { ...settings, language: 'auto' } }))).catch(() => {});
    await page.close();
  }
});

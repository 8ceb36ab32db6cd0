// Firefox harness: firefox-esr driven by puppeteer-core over WebDriver BiDi, the built extension
// (dist/chrome — the same build Chrome loads) installed with browser.installExtension, and the
// fixture sites served at their real URLs with their CSP by request interception (everything else
// is aborted and recorded).
//
// Settings: Firefox does not let automation open moz-extension:// pages, so the council is set the
// way an administrator would: a managed-storage manifest (`settings` in chrome.storage.managed)
// under a throw-away $HOME (~/.mozilla/managed-storage/<extension id>.json).
import puppeteer from 'puppeteer-core';
import { mkdtemp, mkdir, writeFile, readFile, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildFixtures, buildDir } from '../fixtures/build.mjs';
import { SITES, cspFor } from '../fixtures/sites.mjs';
import { ROOT, EXTENSION_DIR, waitFor } from '../browser/harness.mjs';

export { SITES, waitFor };
export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export async function firefoxAvailable() {
  try { await access(FIREFOX); await access(path.join(EXTENSION_DIR, 'manifest.json')); return true; } catch { return false; }
}

export async function launchFirefox({ settings }) {
  await buildFixtures();
  const manifest = JSON.parse(await readFile(path.join(EXTENSION_DIR, 'manifest.json'), 'utf8'));
  const id = manifest.browser_specific_settings.gecko.id;
  const home = await mkdtemp(path.join(tmpdir(), 'postcheck-ff-'));
  await mkdir(path.join(home, '.mozilla/managed-storage'), { recursive: true });
  await writeFile(path.join(home, '.mozilla/managed-storage', `${id}.json`), JSON.stringify({
    name: id, description: 'postcheck test settings', type: 'storage', data: { settings },
  }));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    env: { ...process.env, HOME: home, MOZ_CRASHREPORTER_DISABLE: '1' },
    extraPrefsFirefox: {
      'network.dns.disableIPv6': true,
      'browser.shell.checkDefaultBrowser': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
    },
  });
  await browser.installExtension(EXTENSION_DIR);
  return new FirefoxHarness(browser, home);
}

export class FirefoxHarness {
  constructor(browser, home) {
    this.browser = browser;
    this.home = home;
    this.aborted = [];
  }

  async close() {
    await this.browser.close().catch(() => {});
    await rm(this.home, { recursive: true, force: true }).catch(() => {});
  }

  /** A new tab serving the fixture sites; everything else aborted. */
  async openSite(id) {
    const site = SITES[id];
    const page = await this.browser.newPage();
    await page.setRequestInterception(true);
    page.on('request', (req) => this._serve(req).catch(() => {}));
    await page.goto(site.url);
    if (site.open) await (await page.waitForSelector(site.open)).click();
    await page.waitForSelector(site.editor);
    await waitFor(() => page.evaluate(() => typeof window.__editorText === 'function'), { message: `${id} fixture ready` });
    return page;
  }

  async _serve(req) {
    const url = new URL(req.url());
    const entry = Object.entries(SITES).find(([, s]) => s.origin === url.origin);
    if (!entry) { this.aborted.push(req.url()); return req.abort(); }
    const [, site] = entry;
    let file = null;
    if (url.pathname.startsWith('/_fixture/')) file = path.basename(url.pathname);
    else if (url.pathname === new URL(site.url).pathname) file = site.page;
    let body = null;
    if (file) body = await readFile(path.join(buildDir, file)).catch(() => null);
    if (!body) return req.respond({ status: 404, contentType: 'text/plain', body: 'not found' });
    const headers = { 'cache-control': 'no-store' };
    if (file.endsWith('.html')) headers['content-security-policy'] = cspFor(site.origin);
    return req.respond({ status: 200, headers, contentType: TYPES[path.extname(file)] || 'application/octet-stream', body });
  }
}

export async function type(page, site, text) {
  await page.click(site.editor);
  await page.keyboard.type(text, { delay: 5 });
}

export const posted = (page) => page.evaluate(() => window.__posted.slice());
export const submits = (page) => page.evaluate(() => window.__submits);
export const editorText = (page) => page.evaluate(() => window.__editorText());
export const highlightTexts = (page) => page.evaluate(() => {
  const out = [];
  for (const [name, hl] of CSS.highlights) if (name.startsWith('postcheck-')) for (const r of hl) out.push(r.toString());
  return out;
});
/** postcheck's UI host (its shadow root is closed; its presence shows the note or warning is drawn). */
export const uiPresent = (page) => page.evaluate(() => !!document.querySelector('postcheck-ui'));

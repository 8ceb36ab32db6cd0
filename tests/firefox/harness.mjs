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
import { ROOT, EXTENSION_DIR, waitFor, MARK_BOXES, measureMarks, pageView, editorRef } from '../browser/harness.mjs';

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
  const browser = await startFirefox({ home, extension: EXTENSION_DIR });
  return new FirefoxHarness(browser, home);
}

/** Per-step bound on Firefox start-up and on each WebDriver BiDi command (puppeteer's own
 * protocolTimeout default is 180 s, longer than a test's timeout: a stuck command would end as an
 * anonymous test timeout instead of an error naming the step). */
const STEP_MS = 45_000;

async function step(name, promise) {
  let timer;
  const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`Firefox: ${name} took over ${STEP_MS / 1000} s`)), STEP_MS); });
  try { return await Promise.race([promise, limit]); } finally { clearTimeout(timer); }
}

/**
 * firefox-esr (headless, profile under `home`) with `extension` (a directory) installed as a
 * temporary add-on. Start-up is infrastructure, not behaviour under test: a launch or install that
 * fails or hangs past STEP_MS is reported on stderr with its step and retried once in a fresh
 * browser; a second failure throws that error. `prefs`: extra Firefox preferences.
 */
export async function startFirefox({ home, extension, prefs = {} }) {
  let lastError;
  for (let attempt = 1; attempt <= 2; attempt++) {
    let browser;
    try {
      browser = await step('launch', puppeteer.launch({
        browser: 'firefox',
        executablePath: FIREFOX,
        headless: true,
        timeout: STEP_MS,
        protocolTimeout: STEP_MS,
        env: { ...process.env, HOME: home, MOZ_CRASHREPORTER_DISABLE: '1' },
        extraPrefsFirefox: {
          'network.dns.disableIPv6': true,
          'browser.shell.checkDefaultBrowser': false,
          'datareporting.policy.dataSubmissionEnabled': false,
          'toolkit.telemetry.enabled': false,
          ...prefs,
        },
      }));
      await step('installExtension', browser.installExtension(extension));
      return browser;
    } catch (e) {
      lastError = e;
      if (browser) await browser.close().catch(() => {});
      if (attempt === 1) console.error(`# Firefox start-up attempt 1 failed (${e.message}); retrying once in a fresh browser`);
    }
  }
  throw lastError;
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
/**
 * postcheck's drawn mark boxes, read the way only a privileged observer can: over WebDriver BiDi,
 * serialising the page with includeShadowTree "all" hands out the CLOSED shadow root of
 * <postcheck-ui>, which is then passed to MARK_BOXES (tests/browser/harness.mjs) as an argument.
 * The page's own scripts have no such reference. [] when the host is not there.
 */
export async function markBoxes(page) {
  const conn = page.browser().connection;
  const context = page.mainFrame()._id; // the BiDi browsing context id
  const host = await conn.send('script.callFunction', {
    functionDeclaration: '() => document.querySelector("postcheck-ui")', awaitPromise: false, target: { context },
    serializationOptions: { maxDomDepth: 0, includeShadowTree: 'all' }, resultOwnership: 'none',
  });
  const shadow = host.result.result?.value?.shadowRoot;
  if (!shadow) return [];
  const boxes = await conn.send('script.callFunction', {
    functionDeclaration: `function (root) { return JSON.stringify((${MARK_BOXES}).call(null, root)); }`,
    awaitPromise: false, target: { context }, arguments: [{ sharedId: shadow.sharedId }], resultOwnership: 'none',
  });
  if (boxes.result.type !== 'success') throw new Error(`MARK_BOXES: ${JSON.stringify(boxes.result.exceptionDetails?.text)}`);
  return JSON.parse(boxes.result.result.value);
}

/** The marks over a site's composer as drawn (see marksOn in tests/browser/harness.mjs). */
export async function marksOn(page, site) {
  const boxes = await markBoxes(page);
  return { ...(await page.evaluate(measureMarks, { ref: editorRef(site), boxes })), boxes };
}

/** The marked runs of a site's composer text. */
export const markedTexts = async (page, site) => (await marksOn(page, site)).texts;

/** What the page's own scripts can see of postcheck's marks (pageView in tests/browser/harness.mjs). */
export const pageSees = (page, site) => page.evaluate(pageView, { ref: editorRef(site) });

/** postcheck's UI host (its shadow root is closed; its presence shows the note or warning is drawn). */
export const uiPresent = (page) => page.evaluate(() => !!document.querySelector('postcheck-ui'));

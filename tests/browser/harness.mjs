// Browser-test harness: Debian Chromium + the built extension (dist/chrome) + the fixture sites.
//
// - Every request is recorded; everything but the fixture hosts and chrome-extension:// is aborted
//   (and DNS is mapped to nothing), so a test can assert that nothing left the device.
// - The extension UI lives in a closed shadow root; tests reach it through the accessibility tree
//   (CDP Accessibility.queryAXTree), as assistive technology does, and click its buttons with real
//   mouse events at the box the browser reports for the node.
// - All waits are condition-based (poll with a timeout), never fixed sleeps.
import { chromium } from 'playwright-core';
import { mkdtemp, mkdir, rm, access, writeFile, chmod } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFixtures } from '../fixtures/build.mjs';
import { SITES, routeSites, CSP_REPORT_PATH } from '../fixtures/sites.mjs';

export { SITES };
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EXTENSION_DIR = path.resolve(ROOT, process.env.POSTCHECK_EXTENSION || 'dist/chrome');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const EXAMPLE = "between us the Hoyland depot is closing, don't tell anyone";
export const CLEAN = 'Lovely sunny morning for the Penistone 10k, well done everyone who ran!';

/** Polls `fn` until it returns a truthy value; returns that value. Throws with the last value seen. */
export async function waitFor(fn, { timeout = 10_000, interval = 50, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last, lastError;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const seen = lastError ? `last error: ${lastError.message}` : `last value: ${JSON.stringify(last)}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${message} (${seen})`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

export async function extensionBuilt(dir = EXTENSION_DIR) {
  try {
    await access(path.join(dir, 'manifest.json'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Launches Chromium with the extension. Returns a Harness.
 * headless: true → new headless (--headless=new); false → headed (needs $DISPLAY).
 * executablePath: the browser to run (e.g. privatePolicyChromium()'s wrapper); args: extra flags.
 * extension: null → no --load-extension: the extension is force-installed by policy (ExtensionSettings),
 *   which Chromium does only without Playwright's default --disable-extensions and without
 *   --disable-background-networking (its extension updater fetches the update manifest), and with
 *   loopback (127.0.0.1, the test's update server) left out of the DNS block. Measured, see
 *   docs/admin-guide.md "What the browsers honour". extensionId: the id to wait for.
 * lang: the browser's language (BCP 47, e.g. 'cy'): --lang (UI language where the browser has it),
 *   LANGUAGE in its environment (Linux), the preferred languages (Accept-Language, navigator.languages).
 */
export async function launch({ extension = EXTENSION_DIR, headless = true, lang = 'en-GB', executablePath = CHROMIUM, extensionId = null, args: extraArgs = [] } = {}) {
  await buildFixtures();
  if (extension && !(await extensionBuilt(extension))) {
    throw new Error(`no built extension at ${path.relative(ROOT, extension) || extension} — run: bash scripts/build.sh`);
  }
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'postcheck-e2e-'));
  const byPolicy = !extension;
  const args = [
    ...(byPolicy ? [] : [`--load-extension=${extension}`, `--disable-extensions-except=${extension}`]),
    '--no-sandbox',
    '--disable-gpu',
    ...(byPolicy ? [] : ['--disable-background-networking']),
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
    byPolicy ? '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' : '--host-resolver-rules=MAP * ~NOTFOUND',
    ...extraArgs,
  ];
  if (headless) args.push('--headless=new');
  if (lang !== 'en-GB') args.push(`--lang=${lang}`);
  const env = lang === 'en-GB' ? undefined : { ...process.env, LANGUAGE: lang.replace('-', '_') };
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    ignoreDefaultArgs: byPolicy ? ['--disable-extensions', '--disable-background-networking'] : undefined,
    headless: false, // headless mode is chosen by the --headless=new flag above (new headless supports extensions)
    args,
    viewport: { width: 1100, height: 800 },
    locale: lang,
    env,
    timezoneId: 'Europe/London',
  });
  context.setDefaultTimeout(15_000); // Playwright actions; our own waits are 10 s
  const h = new Harness(context, userDataDir);
  h.expectedExtensionId = extensionId;
  await h._init();
  return h;
}

/** Chrome's extension id for a DER SubjectPublicKeyInfo: sha256, first 16 bytes, hex digits → a–p. */
export function extensionIdOf(spkiDer) {
  const hex = createHash('sha256').update(spkiDer).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

// ------------------------------------------------------------------ a private policy directory
//
// Chromium on Linux reads machine policy from /etc/chromium/policies/{managed,recommended}, for
// every Chromium on the machine. Policy tests give one Chromium its own directory instead: the
// wrapper below runs it in a new mount namespace (unshare --mount, private propagation) in which
// a temporary directory is bind-mounted over /etc/chromium/policies. Other processes, including the
// other suites' browsers, still see the real directory, where no file is ever written.
export const POLICY_MOUNT = '/etc/chromium/policies';

/** null if private policy directories work here, else why not (for t.skip). */
export function privatePolicyUnsupported() {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'private policy directory needs root (unshare --mount, mount --bind)';
  try {
    execFileSync('unshare', ['--mount', 'true'], { stdio: 'pipe' });
  } catch (e) {
    return `unshare --mount does not work here: ${String(e.stderr || e.message).trim().split('\n')[0]}`;
  }
  return null;
}

/**
 * Writes `policies` (an object: Chromium policy name → value) as the only machine policy of a
 * Chromium run, under `dir`, and returns the wrapper to pass as launch({ executablePath }).
 */
export async function privatePolicyChromium(dir, policies) {
  const managed = path.join(dir, 'policies', 'managed');
  await mkdir(managed, { recursive: true });
  await writeFile(path.join(managed, 'postcheck-test.json'), JSON.stringify(policies, null, 2));
  // The mount point must exist; an empty directory is no policy (root only, so policy tests skip otherwise).
  await mkdir(POLICY_MOUNT, { recursive: true });
  const wrapper = path.join(dir, 'chromium-private-policy.sh');
  const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
  // `exec` all the way down: the pid Playwright holds is Chromium's own.
  await writeFile(wrapper, `#!/bin/sh
# Generated by tests/browser/harness.mjs: Chromium with ${path.join(dir, 'policies')} as its policy directory.
exec unshare --mount --propagation private -- /bin/sh -c 'mount --bind "$0" ${POLICY_MOUNT} && exec "$@"' ${q(path.join(dir, 'policies'))} ${q(CHROMIUM)} "$@"
`);
  await chmod(wrapper, 0o755);
  return wrapper;
}

const FIXTURE_ORIGINS = new Set(Object.values(SITES).map((s) => s.origin));

export class Harness {
  constructor(context, userDataDir) {
    this.context = context;
    this.userDataDir = userDataDir;
    this.requests = []; // {url, origin, resourceType, fromServiceWorker}
    this.aborted = []; // urls aborted by the catch-all
    this.cspReports = []; // {site, body}
    this.cspConsole = []; // console messages mentioning Content Security Policy
    this.pages = new Set();
  }

  async _init() {
    const { context } = this;
    context.on('request', (req) => {
      let origin;
      try {
        origin = new URL(req.url()).origin;
      } catch {
        origin = req.url();
      }
      if (req.url().startsWith('chrome-extension://')) origin = 'chrome-extension://' + new URL(req.url()).host;
      this.requests.push({ url: req.url(), origin, resourceType: req.resourceType() });
    });
    context.on('console', (msg) => {
      if (/Content Security Policy|Content-Security-Policy/i.test(msg.text())) this.cspConsole.push(msg.text());
    });
    context.on('page', (page) => {
      this.pages.add(page);
      page.on('close', () => this.pages.delete(page));
    });
    // Record CSP violations the page sees (from either world: the event is dispatched on the document).
    await context.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, sample: e.sample });
      }, true);
    });
    // Catch-all first: abort everything that is not the extension itself. Fixture routes, registered
    // after, take precedence for the fixture hosts.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('chrome-extension://')) return route.continue();
      this.aborted.push(url);
      return route.abort('blockedbyclient');
    });
    await routeSites(context, { onCspReport: (site, body) => this.cspReports.push({ site, body }) });

    // The extension id, from its service worker.
    const want = this.expectedExtensionId ? `chrome-extension://${this.expectedExtensionId}/` : 'chrome-extension://';
    const isExt = (w) => w.url().startsWith(want);
    let sw = context.serviceWorkers().find(isExt);
    if (!sw) sw = await context.waitForEvent('serviceworker', { predicate: isExt, timeout: 20_000 });
    this.serviceWorker = sw;
    this.extensionId = new URL(sw.url()).host;
    // The persistent context opens with one blank page; keep it (closing the last page would not close
    // the browser, but some Chromium builds exit). Pages are created per test.
    await this._closeInstallOptionsTab();
  }

  /**
   * On install the extension opens its options page itself (runtime.onInstalled). That tab races
   * with the tests' own options pages (Chromium focuses or re-navigates an options tab: "navigation
   * interrupted by another navigation"), so wait for it (it must come: this is a fresh profile) and
   * close it before any test opens its own.
   */
  async _closeInstallOptionsTab() {
    const url = `chrome-extension://${this.extensionId}/options.html`;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const tab = this.context.pages().find((p) => p.url().startsWith(url));
      if (tab) {
        await tab.waitForLoadState('load').catch(() => {});
        await tab.close().catch(() => {});
        this.installOptionsOpened = true;
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the extension did not open its options page on install within 10 s (${url})`);
  }

  /** Hosts contacted other than the fixture sites and this extension. */
  foreignRequests() {
    const ext = `chrome-extension://${this.extensionId}`;
    return this.requests.filter((r) => !FIXTURE_ORIGINS.has(r.origin) && r.origin !== ext && !r.url.startsWith('about:') && !r.url.startsWith('data:'));
  }

  cspReportRequests() {
    return this.requests.filter((r) => new URL(r.url, 'http://x').pathname === CSP_REPORT_PATH);
  }

  async close() {
    await this.context.close().catch(() => {});
    await rm(this.userDataDir, { recursive: true, force: true }).catch(() => {});
  }

  // ---------------------------------------------------------------- options page

  optionsUrl() {
    return `chrome-extension://${this.extensionId}/options.html`;
  }

  async openOptions() {
    const page = await this.context.newPage();
    for (let attempt = 0; ; attempt++) {
      try {
        await page.goto(this.optionsUrl());
        break;
      } catch (e) {
        // Right after install the extension opens its options page itself, which can take over
        // (and re-navigate) the tab just opened here; go again.
        if (attempt >= 2 || !/interrupted by another navigation/.test(String(e && e.message))) throw e;
      }
    }
    await page.getByLabel('Council', { exact: true }).waitFor();
    return page;
  }

  /** Reads `settings` from chrome.storage.sync through an extension page. */
  async storedSettings(page) {
    return page.evaluate(() => chrome.storage.sync.get('settings').then((r) => r.settings ?? null));
  }

  /**
   * Chooses settings through the options page's labelled controls, like a user.
   * council: the option's visible label ("Barnsley MBC"); councilId: the id expected in storage;
   * account: "Personal account" | "Official council account"; roles: labels of checkboxes to tick.
   * Waits until the choice is stored.
   */
  async setOptions({ council, councilId, account = 'Personal account', roles } = {}, page = null) {
    const own = !page;
    page = page || (await this.openOptions());
    try {
      if (council) {
        const select = page.getByLabel('Council', { exact: true });
        await waitFor(async () => (await select.locator('option').allTextContents()).some((t) => t.trim() === council),
          { message: `"${council}" in the options page's Council list` });
        await select.selectOption({ label: council });
      }
      if (account) await page.getByRole('radio', { name: account, exact: true }).check();
      if (roles) {
        for (const cb of await page.getByRole('checkbox').all()) {
          const name = (await cb.getAttribute('aria-label')) || (await cb.evaluate((el) => el.labels?.[0]?.textContent?.trim() || ''));
          const want = roles.some((r) => name.includes(r));
          if ((await cb.isChecked()) !== want) await cb.setChecked(want);
        }
      }
      const save = page.getByRole('button', { name: /^save/i });
      if (await save.count()) await save.first().click();
      const mode = account === 'Official council account' ? 'official' : 'personal';
      await waitFor(async () => {
        const s = await this.storedSettings(page);
        return s && (!councilId || s.council === councilId) && (!account || s.mode === mode) && s;
      }, { message: `settings stored (council ${councilId}, mode ${mode})` });
    } finally {
      if (own) await page.close();
    }
  }

  // ---------------------------------------------------------------- popup

  /** An extension page for chrome.* calls (the service worker may be stopped at any time). */
  async extPage() {
    if (!this._ext || this._ext.isClosed()) {
      this._ext = await this.context.newPage();
      await this._ext.goto(`chrome-extension://${this.extensionId}/popup.html#tab=-1`);
    }
    return this._ext;
  }

  /** The id of the tab showing `page` (asked of each tab's content script, by host). */
  async tabIdOf(page) {
    const host = new URL(page.url()).hostname;
    const ext = await this.extPage();
    return waitFor(() => ext.evaluate(async (want) => {
      const tabs = await chrome.tabs.query({});
      for (const tab of tabs) {
        try {
          const r = await chrome.tabs.sendMessage(tab.id, { type: 'page-findings' }, { frameId: 0 });
          if (r && r.host === want) return tab.id;
        } catch {}
      }
      return null;
    }, host), { message: `the tab of ${host}` });
  }

  /** Opens the toolbar popup (as a page) for the tab showing `page`. */
  async openPopup(page) {
    const id = await this.tabIdOf(page);
    const popup = await this.context.newPage();
    await popup.goto(`chrome-extension://${this.extensionId}/popup.html#tab=${id}`);
    await popup.locator('body[data-ready=true]').waitFor({ state: 'attached' });
    return popup;
  }

  /** Stops the extension's service worker (as the browser may at any moment), via chrome://serviceworker-internals. */
  async stopServiceWorker() {
    const page = await this.context.newPage();
    try {
      await page.goto('chrome://serviceworker-internals/');
      const scope = `chrome-extension://${this.extensionId}/`;
      await waitFor(() => page.evaluate((scope) => {
        for (const item of document.querySelectorAll('.serviceworker-item')) {
          if (!item.textContent.includes(scope)) continue;
          for (const b of item.querySelectorAll('cr-button, button')) if (/^\s*stop\s*$/i.test(b.textContent)) { b.click(); return true; }
        }
        return false;
      }, scope), { message: 'the Stop control of the extension service worker' });
      await waitFor(() => page.evaluate(() => /Running Status:\s*STOPPED/.test(document.body.innerText)), { message: 'the service worker to stop' });
    } finally {
      await page.close();
    }
  }

  /** Forget per-device state (dismissals, site switches, pause). */
  async clearLocal() {
    await (await this.extPage()).evaluate(() => chrome.storage.local.clear());
  }

  async localState() {
    return (await this.extPage()).evaluate(() => chrome.storage.local.get(null));
  }

  // ---------------------------------------------------------------- sites

  async openSite(id) {
    const site = SITES[id];
    const page = await this.context.newPage();
    await page.goto(site.url);
    await openComposer(page, site);
    // The fixture's scripts ran (they define window.__editorText).
    await waitFor(() => page.evaluate(() => typeof window.__editorText === 'function'), { message: `${id} fixture ready` });
    return page;
  }
}

// ------------------------------------------------------------------ page helpers

/** Opens the site's composer if it appears only after a trigger (dialog, comment box); waits for it. */
export async function openComposer(page, site) {
  if (site.open) {
    await page.locator(site.open).waitFor();
    await page.locator(site.open).click();
  }
  await page.locator(site.editor).waitFor();
}

/** A page-side description of where a site's editor is (through an open shadow root if need be). */
export function editorRef(site) {
  if (typeof site === 'string') return { editor: site };
  return { editor: site.editor, shadowHost: site.shadowHost || null, inShadow: site.inShadow || null };
}

/** Types with real keyboard events into the site's composer. */
export async function typeInto(page, site, text) {
  const editor = page.locator(site.editor);
  await editor.click();
  await page.keyboard.type(text, { delay: 5 });
}

/** What the site's own submit handler received (main world). */
export async function posted(page) {
  return page.evaluate(() => window.__posted.slice());
}

/** The editor's text as the site's own code reads it (Draft/Lexical state, textarea value). */
export async function editorText(page) {
  return page.evaluate(() => window.__editorText());
}

/** How many times the site's own submit handler ran (including with an empty draft). */
export async function submits(page) {
  return page.evaluate(() => window.__submits);
}

export async function cspViolations(page) {
  return page.evaluate(() => window.__cspViolations.slice());
}

// ------------------------------------------------------------------ marks (read as a privileged observer)
//
// postcheck draws its marks inside its CLOSED shadow root, so the page cannot see them — and
// neither can page.evaluate. The tests read them as DevTools does: CDP (Chromium) or WebDriver BiDi
// (Firefox) hand out a reference to the closed shadow root, and MARK_BOXES runs against it. The
// words under the marks are then found geometrically, in the page: a character is marked when the
// centre of its box lies in a drawn mark box. So "the mark covers the word" is asserted on what is
// painted, not on what the extension says it did.

/**
 * Function declaration run with a closed shadow root as its argument (or `this`): every visibly
 * drawn mark in it — an element with a background, outside the note and the warning — as its
 * rendered box in viewport CSS px, cut by its clipping ancestors in the shadow tree. Returns
 * [{left, top, right, bottom, severity (block|warn|info|null), ariaHidden, pointerEvents}].
 */
export const MARK_BOXES = `function (root) {
  root = root || this;
  const out = [];
  const cut = (a, b) => ({ left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) });
  for (const el of root.querySelectorAll('*')) {
    if (el.closest('[role=status],[role=alertdialog],[role=dialog]')) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility !== 'visible' || cs.backgroundColor === 'rgba(0, 0, 0, 0)' || cs.backgroundColor === 'transparent') continue;
    const r = el.getBoundingClientRect();
    let box = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    for (let a = el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.display === 'none') { box = null; break; }
      if (s.overflowX !== 'visible' || s.overflowY !== 'visible') box = cut(box, a.getBoundingClientRect());
    }
    if (!box || box.right - box.left < 0.5 || box.bottom - box.top < 0.5) continue;
    const sev = /\\b(?:pcmark|mark)-(block|warn|info)\\b/.exec(el.className || '');
    out.push({ ...box, severity: sev ? sev[1] : null, ariaHidden: !!el.closest('[aria-hidden=true]'), pointerEvents: cs.pointerEvents });
  }
  return out;
}`;

/**
 * Runs in the page (main world). `ref`: editorRef(site); `boxes`: mark boxes (MARK_BOXES).
 * Lays out the editor's text one character at a time (contenteditable: a Range per character;
 * textarea/input: a throw-away mirror with its computed style, appended to <body> and removed at
 * once, shifted by the field's scroll offset) and returns:
 *   texts: runs of consecutive characters whose box centre lies in a mark box (what is marked),
 *   outside: mark boxes that do not touch the editor's visible box,
 *   visible: the editor's visible box (its padding box cut by clipping ancestors and the viewport),
 *   chars: [{ch, i, left, top, right, bottom, shown, marked}] per character with a box (viewport px;
 *     i: its index among the editor's characters; shown: its centre is in the visible box;
 *     marked: its centre is in a mark box).
 */
export function measureMarks({ ref, boxes }) {
  const el = ref.shadowHost
    ? document.querySelector(ref.shadowHost)?.shadowRoot?.querySelector(ref.inShadow)
    : document.querySelector(ref.editor);
  if (!el) return { texts: [], outside: boxes.length, visible: null, chars: [] };
  const cut = (a, b) => ({ left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) });
  const pad = (e) => { const r = e.getBoundingClientRect(); return { left: r.left + e.clientLeft, top: r.top + e.clientTop, right: r.left + e.clientLeft + e.clientWidth, bottom: r.top + e.clientTop + e.clientHeight }; };
  const er = el.getBoundingClientRect();
  let visible = { left: er.left, top: er.top, right: er.right, bottom: er.bottom };
  const ecs = getComputedStyle(el);
  if (ecs.overflowX !== 'visible' || ecs.overflowY !== 'visible') visible = cut(visible, pad(el));
  for (let a = el.parentElement || el.getRootNode().host; a && a !== document.documentElement && a !== document.body; a = a.parentElement || a.getRootNode().host) {
    const s = getComputedStyle(a);
    if (s.overflowX !== 'visible' || s.overflowY !== 'visible') visible = cut(visible, pad(a));
  }
  visible = cut(visible, { left: 0, top: 0, right: document.documentElement.clientWidth, bottom: document.documentElement.clientHeight });
  const chars = [];
  const field = el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement;
  if (field) {
    visible = cut(visible, pad(el));
    const cs = getComputedStyle(el);
    const m = document.createElement('div');
    for (const p of cs) m.style.setProperty(p, cs.getPropertyValue(p));
    m.style.position = 'fixed';
    m.style.margin = '0';
    m.style.boxSizing = 'border-box';
    m.style.minWidth = '0';
    m.style.maxWidth = 'none';
    m.style.transform = 'none';
    m.style.left = `${er.left}px`;
    m.style.top = `${er.top}px`;
    m.style.width = `${er.width}px`;
    m.style.height = 'auto';
    m.style.overflow = 'visible';
    m.style.visibility = 'hidden';
    m.style.whiteSpace = el instanceof HTMLInputElement ? 'pre' : 'pre-wrap';
    const scrollbar = el.offsetWidth - el.clientWidth - el.clientLeft - (parseFloat(cs.borderRightWidth) || 0);
    m.style.paddingRight = `${(parseFloat(cs.paddingRight) || 0) + Math.max(0, scrollbar)}px`;
    if (cs.overflowWrap === 'normal' && !(el instanceof HTMLInputElement)) m.style.overflowWrap = 'break-word';
    const t = document.createTextNode(el.value);
    m.append(t);
    document.body.append(m);
    try {
      const r = document.createRange();
      for (let i = 0; i < t.data.length; i++) {
        r.setStart(t, i); r.setEnd(t, i + 1);
        const q = [...r.getClientRects()].find((x) => x.width > 0);
        if (q) chars.push({ ch: t.data[i], left: q.left - el.scrollLeft, top: q.top - el.scrollTop, right: q.right - el.scrollLeft, bottom: q.bottom - el.scrollTop });
        else chars.push({ ch: t.data[i], left: NaN, top: NaN, right: NaN, bottom: NaN });
      }
    } finally {
      m.remove();
    }
  } else {
    const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const r = document.createRange();
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      for (let i = 0; i < n.data.length; i++) {
        r.setStart(n, i); r.setEnd(n, i + 1);
        const q = [...r.getClientRects()].find((x) => x.width > 0);
        chars.push(q ? { ch: n.data[i], left: q.left, top: q.top, right: q.right, bottom: q.bottom } : { ch: n.data[i], left: NaN, top: NaN, right: NaN, bottom: NaN });
      }
    }
  }
  const inside = (x, y, b) => x >= b.left && x <= b.right && y >= b.top && y <= b.bottom;
  const texts = [];
  let run = '';
  chars.forEach((c, i) => {
    const x = (c.left + c.right) / 2;
    const y = (c.top + c.bottom) / 2;
    c.i = i;
    c.shown = Number.isFinite(x) && inside(x, y, visible);
    c.marked = Number.isFinite(x) && boxes.some((b) => inside(x, y, b));
  });
  for (const c of chars) {
    const marked = c.marked;
    if (marked) run += c.ch;
    else if (run) { texts.push(run); run = ''; }
  }
  if (run) texts.push(run);
  const touches = (b) => b.right > visible.left - 1 && b.left < visible.right + 1 && b.bottom > visible.top - 1 && b.top < visible.bottom + 1;
  return { texts: texts.map((t) => t.replace(/\n+$/, '')).filter(Boolean), outside: boxes.filter((b) => !touches(b)).length, visible, chars: chars.filter((c) => Number.isFinite(c.left)) };
}

/**
 * What the page itself (main world, no privilege) can learn of postcheck's marks. Runs in the page;
 * `ref`: editorRef(site). Returns { highlights: names in the document's CSS highlight registry,
 * found: descriptions of elements (document and every OPEN shadow root) that name postcheck or its
 * marks other than the UI host itself, hostShadowRoot: whether the host's shadow root is readable,
 * atWords: elements hit at the centre of every character of the editor's text that belong to postcheck,
 * editorStyled: editor elements carrying a style or attribute postcheck would have set }.
 */
export function pageView({ ref }) {
  const el = ref.shadowHost
    ? document.querySelector(ref.shadowHost)?.shadowRoot?.querySelector(ref.inShadow)
    : document.querySelector(ref.editor);
  const highlights = typeof CSS !== 'undefined' && CSS.highlights ? [...CSS.highlights.keys()] : [];
  const found = [];
  let hostShadowRoot = false;
  const walk = (root) => {
    for (const e of root.querySelectorAll('*')) {
      if (e.localName === 'postcheck-ui') { if (e.shadowRoot) hostShadowRoot = true; continue; }
      const desc = `${e.localName}${e.id ? '#' + e.id : ''}.${typeof e.className === 'string' ? e.className : ''}[${[...e.attributes].map((a) => a.name + '=' + a.value).join(' ')}]`;
      if (/postcheck|pcmark/i.test(desc)) found.push(desc.slice(0, 200));
      if (e.shadowRoot) walk(e.shadowRoot);
    }
  };
  walk(document);
  const atWords = [];
  if (el) {
    const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const r = document.createRange();
    const points = [];
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      for (let i = 0; i < n.data.length; i++) {
        r.setStart(n, i); r.setEnd(n, i + 1);
        const q = r.getBoundingClientRect();
        if (q.width > 0) points.push([(q.left + q.right) / 2, (q.top + q.bottom) / 2]);
      }
    }
    if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) {
      const q = el.getBoundingClientRect();
      for (let x = q.left + 4; x < q.right; x += 8) for (let y = q.top + 4; y < q.bottom; y += 8) points.push([x, y]);
    }
    for (const [x, y] of points) {
      for (const hit of document.elementsFromPoint(x, y)) if (hit.localName === 'postcheck-ui') { atWords.push([x, y]); break; }
    }
  }
  return { highlights, found, hostShadowRoot, atWords: atWords.length };
}

/**
 * postcheck's mark boxes in a Chromium page, read through CDP (DOM.getDocument with pierce sees
 * closed shadow roots; Runtime.callFunctionOn runs MARK_BOXES with the shadow root as `this`).
 * @param {AX} ax the page's CDP session
 */
export async function markBoxes(ax) {
  const { root } = await ax.cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const hosts = [];
  const find = (n) => {
    if (n.nodeName === 'POSTCHECK-UI') hosts.push(n);
    for (const c of n.children || []) find(c);
    for (const c of n.shadowRoots || []) find(c);
  };
  find(root);
  const out = [];
  for (const host of hosts) {
    for (const sr of host.shadowRoots || []) {
      const { object } = await ax.cdp.send('DOM.resolveNode', { backendNodeId: sr.backendNodeId });
      const { result } = await ax.cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, returnByValue: true, functionDeclaration: MARK_BOXES });
      await ax.cdp.send('Runtime.releaseObject', { objectId: object.objectId }).catch(() => {});
      out.push(...(result.value || []));
    }
  }
  return out;
}

/**
 * How many mark elements (drawn or not) postcheck's closed shadow root holds: elements whose class
 * is `marks` (a composer's clip box) or `pcmark` (a mark box), found over CDP with pierce.
 * @param {AX} ax the page's CDP session
 */
export async function markElements(ax) {
  const { root } = await ax.cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  let n = 0;
  const walk = (node) => {
    const a = node.attributes || [];
    for (let i = 0; i < a.length; i += 2) if (a[i] === 'class' && /(^|\s)(marks|pcmark)(\s|$)/.test(a[i + 1])) n++;
    for (const c of [...(node.children || []), ...(node.shadowRoots || [])]) walk(c);
  };
  walk(root);
  return n;
}

/**
 * The marks over a site's composer, as drawn: { texts (the marked runs of its text), boxes (the
 * drawn mark boxes), outside (boxes not touching the composer's visible box), visible, chars }.
 */
export async function marksOn(page, ax, site) {
  const boxes = await markBoxes(ax);
  return { ...(await page.evaluate(measureMarks, { ref: editorRef(site), boxes })), boxes };
}

/** The marked runs of a site's composer text (see marksOn). */
export async function markedTexts(page, ax, site) {
  return (await marksOn(page, ax, site)).texts;
}

/** Accessibility-tree access to the page (including closed shadow roots) over CDP. */
export class AX {
  static async of(page) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('Accessibility.enable');
    return new AX(page, cdp);
  }

  constructor(page, cdp) {
    this.page = page;
    this.cdp = cdp;
  }

  async detach() {
    await this.cdp.detach().catch(() => {});
  }

  /** AX nodes with the given role (and accessible name, if given); ignored nodes left out. */
  async query({ role, name } = {}) {
    const { root } = await this.cdp.send('DOM.getDocument', { depth: 0 });
    const params = { nodeId: root.nodeId };
    if (role) params.role = role;
    if (name !== undefined) params.accessibleName = name;
    const { nodes } = await this.cdp.send('Accessibility.queryAXTree', params);
    return nodes.filter((n) => !n.ignored);
  }

  /** The accessible text of a node: its name, description and the text of its descendants. */
  async text(node) {
    const { nodes } = await this.cdp.send('Accessibility.getFullAXTree', {});
    const byId = new Map(nodes.map((n) => [n.nodeId, n]));
    const self = byId.get(node.nodeId) || node;
    const parts = [self.name?.value, self.description?.value];
    const walk = (n) => {
      for (const id of n.childIds || []) {
        const c = byId.get(id);
        if (!c) continue;
        if (c.role?.value === 'StaticText' && !c.ignored) parts.push(c.name?.value);
        walk(c);
      }
    };
    walk(self);
    return parts.filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
  }

  /** All non-ignored nodes of a role with their accessible text. */
  async texts(role) {
    const nodes = await this.query({ role });
    const out = [];
    for (const n of nodes) out.push({ node: n, name: n.name?.value || '', text: await this.text(n) });
    return out;
  }

  /** Clicks a node with a real mouse event at the centre of its box. */
  async click(node) {
    const backendNodeId = node.backendDOMNodeId;
    await this.cdp.send('DOM.scrollIntoViewIfNeeded', { backendNodeId }).catch(() => {});
    const { model } = await this.cdp.send('DOM.getBoxModel', { backendNodeId });
    const q = model.border;
    const x = (q[0] + q[2] + q[4] + q[6]) / 4;
    const y = (q[1] + q[3] + q[5] + q[7]) / 4;
    await this.page.mouse.click(x, y);
  }

  /** Clicks the button with exactly this accessible name (waits for it). */
  async clickButton(name, opts = {}) {
    const [btn] = await waitFor(async () => {
      const found = await this.query({ role: 'button', name });
      return found.length ? found : null;
    }, { message: `button "${name}"`, ...opts });
    await this.click(btn);
  }

  /** The held-post warning, if shown: {node, name, text}. */
  async alertDialog() {
    const [d] = await this.texts('alertdialog');
    return d || null;
  }

  /** Text of every role=status region (the inline note), joined. */
  async statusText() {
    const s = await this.texts('status');
    return s.map((x) => x.text).join(' | ');
  }
}

export async function focusInside(page, site) {
  return page.evaluate((ref) => {
    const el = ref.shadowHost
      ? document.querySelector(ref.shadowHost)?.shadowRoot?.querySelector(ref.inShadow)
      : document.querySelector(ref.editor);
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return !!(el && a && (el === a || el.contains(a)));
  }, editorRef(site));
}

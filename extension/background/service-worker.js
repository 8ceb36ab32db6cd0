// postcheck — background service worker (MV3).
//
// Loads the wasm core once per worker lifetime, answers contract §5 messages. The worker may
// be stopped at any time and restarted: every piece of state here is a cache that is re-derived
// on demand (the checker from the packaged wasm, settings from chrome.storage.sync).
//
// No network: the only fetch is of the extension's own packaged wasm via chrome.runtime.getURL.

import init, { Checker, CheckContext } from 'postcheck-wasm'; // aliased by extension/build.mjs to the wasm-bindgen glue
import { MSG, SETTINGS_KEY, checkOk, profilesOk, failure, parseRequest } from '../shared/protocol.js';
import { effectiveSettings, buildContext, localDateTime } from '../shared/settings.js';
import { syncInstanceScripts } from '../shared/instances.js';
import { CATEGORY_IDS, loadCustomProfile, siteDisabled } from './managed.js';

const WASM_FILE = 'postcheck_wasm_bg.wasm';

/** @type {Promise<Checker> | null} */
let checkerPromise = null;
/** Outcome of loading the managed customProfile into the current checker (null: none set). */
let customResult = null;

/**
 * The one Checker, with the administrator's own profile (managed `customProfile`) added when it
 * passes the core's validation; a failed load is forgotten so the next message retries.
 */
function getChecker() {
  if (!checkerPromise) {
    checkerPromise = (async () => {
      const [, managed] = await Promise.all([init({ module_or_path: chrome.runtime.getURL(WASM_FILE) }), getManagedSettings()]);
      const checker = new Checker();
      customResult = loadCustomProfile(checker, managed);
      profileCache = null;
      if (customResult && customResult.error) console.warn(`postcheck: managed.customProfile: ${customResult.error}`);
      return checker;
    })();
    checkerPromise.catch(() => {
      checkerPromise = null;
    });
  }
  return checkerPromise;
}

/** @type {Promise<unknown> | null} cached raw `settings` from chrome.storage.sync */
let storedPromise = null;

function getStoredSettings() {
  if (!storedPromise) {
    storedPromise = (async () => {
      try {
        const got = await chrome.storage.sync.get(SETTINGS_KEY);
        return got?.[SETTINGS_KEY] ?? null;
      } catch (e) {
        console.warn('postcheck: cannot read settings, using defaults:', e);
        return null;
      }
    })();
  }
  return storedPromise;
}

/** @type {Promise<unknown> | null} cached `settings` from chrome.storage.managed (administrator) */
let managedPromise = null;

/**
 * The administrator's settings, if any: the whole chrome.storage.managed area, keys of
 * extension/managed_schema.json (Chrome/Edge: the extension's `3rdparty` policy; Firefox:
 * policies.json `3rdparty` or a managed-storage manifest). Absent → null.
 */
function getManagedSettings() {
  if (!managedPromise) {
    managedPromise = (async () => {
      try {
        if (!chrome.storage.managed) return null;
        const got = await chrome.storage.managed.get(null);
        return got && Object.keys(got).length ? got : null;
      } catch {
        return null; // no managed storage on this install: nothing to apply
      }
    })();
  }
  return managedPromise;
}

/** @type {{councils: string[], profiles: {id: string, name: string}[]} | null} */
let profileCache = null;

/** @param {Checker} checker */
function profilesOf(checker) {
  if (!profileCache) {
    const profiles = checker.profiles();
    profileCache = { councils: profiles.map((p) => p.id), profiles };
  }
  return profileCache;
}

let lastProblems = '';

/** Logs settings problems once per distinct set (checks run on every keystroke). */
function reportProblems(problems) {
  const text = problems.map((p) => `postcheck: ${p.field}: ${p.reason}`).join('\n');
  if (text && text !== lastProblems) console.warn(text);
  lastProblems = text;
}

/**
 * The last currentSettings() result and the inputs it was derived from: the checker (which fixes
 * the profiles and customResult) and the raw stored and managed settings. Those are replaced, never
 * mutated (chrome.storage.onChanged installs a new value; a managed change rebuilds the checker),
 * so the same three objects mean the same settings and the result is reused instead of being
 * validated again on every keystroke. `prepared` is the settings-derived CheckContext, made on the
 * first check that needs it.
 * @type {{checker: Checker, stored: unknown, managed: unknown, result: any, prepared: CheckContext | null} | null}
 */
let settingsCache = null;

/** Effective settings, the managed policy and every problem, for the current checker. */
async function currentSettings() {
  const [checker, stored, managed] = await Promise.all([getChecker(), getStoredSettings(), getManagedSettings()]);
  const c = settingsCache;
  if (c && c.checker === checker && c.stored === stored && c.managed === managed) return c.result;
  const { profiles, councils } = profilesOf(checker);
  const result = { checker, profiles, ...effectiveSettings(stored, { councils, managed, categories: CATEGORY_IDS, customProfile: customResult }) };
  settingsCache = { checker, stored, managed, result, prepared: null };
  return result;
}

/**
 * The settings-derived part of the check context (council, mode, flags, elections, working hours,
 * severities — buildContext's object) converted to the core once per settings `result`; each check
 * passes only attachments and the clock (Checker.checkIn, the same findings as check()).
 * Throws what `new CheckContext` throws for a context the core rejects (as check() did).
 */
function preparedContext(result) {
  const c = settingsCache;
  if (c && c.result === result) {
    if (!c.prepared) c.prepared = new CheckContext(buildContext(result.settings, { policy: result.policy }));
    return c.prepared;
  }
  // settings changed while this check awaited: convert this result's context for this check only
  return new CheckContext(buildContext(result.settings, { policy: result.policy }));
}

/**
 * @param {import('../shared/protocol.js').CheckRequest} req
 * @param {chrome.runtime.MessageSender} [sender]
 */
async function handleCheck(req, sender) {
  const current = await currentSettings();
  const { checker, profiles, settings, problems, policy } = current;
  reportProblems(problems);
  if (!settings.council) return checkOk(null, []);
  const council = profiles.find((p) => p.id === settings.council) ?? null;
  if (siteDisabled(policy.disabledSites, req.site, sender?.tab?.url ?? sender?.url)) return checkOk(council, []);
  // working hours and severities travel in the context: the core raises the working-time
  // reminder and applies the administrator's severities ('off' drops the category)
  // (buildContext's object, converted once per settings; attachments and now are per check)
  const findings = checker.checkIn(req.text, preparedContext(current), Boolean(req.attachments), localDateTime(new Date()));
  return checkOk(council, findings);
}

/** For the options page: the policy as applied, what the administrator set, and the problems. */
async function handleManaged() {
  const { settings, problems, policy } = await currentSettings();
  const managed = await getManagedSettings();
  return { ok: true, settings, policy, problems, managed };
}

async function handleProfiles() {
  const checker = await getChecker();
  return profilesOk(checker.profiles());
}

/** @param {unknown} msg */
async function handle(msg, sender) {
  const req = parseRequest(msg);
  if (typeof req === 'string') return failure(req);
  switch (req.type) {
    case MSG.CHECK:
      return handleCheck(req, sender);
    case MSG.PROFILES:
      return handleProfiles();
    case MSG.MANAGED:
      return handleManaged();
  }
  return failure('unhandled message');
}

// Registered synchronously at top level so a message that wakes the worker is delivered.
chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const type = msg && typeof msg === 'object' ? msg.type : undefined;
  if (type !== MSG.CHECK && type !== MSG.PROFILES && type !== MSG.MANAGED) return false; // not ours: let others answer
  let reply;
  try {
    reply = handle(msg, sender);
  } catch (e) {
    reply = Promise.resolve(failure(e));
  }
  reply
    .catch((e) => failure(e))
    .then((response) => {
      try {
        sendResponse(response);
      } catch {
        // the sender has gone away (tab closed); nothing to do
      }
    });
  return true; // keep the channel open for the async reply
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'sync' && SETTINGS_KEY in changes) {
    storedPromise = Promise.resolve(changes[SETTINGS_KEY].newValue ?? null);
  }
  if (area === 'managed') {
    // A new policy may carry a new customProfile: rebuild the checker from the packaged wasm.
    managedPromise = null;
    checkerPromise = null;
    profileCache = null;
    lastProblems = '';
  }
});

chrome.runtime.onInstalled.addListener((details) => {
  if (details.reason === 'install') {
    chrome.runtime.openOptionsPage().catch((e) => console.warn('postcheck: cannot open options:', e));
  }
});

// Mastodon instances granted at run time: keep their registered content scripts in step with the
// granted origins (registered scripts persist; this also repairs them after an update).
const syncInstances = () => syncInstanceScripts().catch((e) => console.warn('postcheck: instance scripts:', e));
try {
  chrome.permissions.onAdded.addListener(syncInstances);
  chrome.permissions.onRemoved.addListener(syncInstances);
  chrome.runtime.onStartup.addListener(syncInstances);
  chrome.runtime.onInstalled.addListener(syncInstances);
} catch {
  // no permissions API (should not happen in MV3)
}

// Warm up: start compiling the wasm as soon as the worker starts (failures retried on demand).
getChecker().catch((e) => console.error('postcheck: wasm failed to load:', e));

// postcheck — background service worker (MV3).
//
// Loads the wasm core once per worker lifetime, answers contract §5 messages. The worker may
// be stopped at any time and restarted: every piece of state here is a cache that is re-derived
// on demand (the checker from the packaged wasm, settings from chrome.storage.sync).
//
// No network: the only fetch is of the extension's own packaged wasm via chrome.runtime.getURL.

import init, { Checker } from 'postcheck-wasm'; // aliased by extension/build.mjs to the wasm-bindgen glue
import { MSG, SETTINGS_KEY, checkOk, profilesOk, failure, parseRequest } from '../shared/protocol.js';
import { effectiveSettings, buildContext } from '../shared/settings.js';
import { syncInstanceScripts } from './instances.js';

const WASM_FILE = 'postcheck_wasm_bg.wasm';

/** @type {Promise<Checker> | null} */
let checkerPromise = null;

/** The one Checker; a failed load is forgotten so the next message retries. */
function getChecker() {
  if (!checkerPromise) {
    checkerPromise = (async () => {
      await init({ module_or_path: chrome.runtime.getURL(WASM_FILE) });
      return new Checker();
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
 * The administrator's settings, if any: chrome.storage.managed `settings` (Chrome/Edge: group
 * policy; Firefox: a managed-storage manifest or enterprise policy). Absent → null.
 */
function getManagedSettings() {
  if (!managedPromise) {
    managedPromise = (async () => {
      try {
        if (!chrome.storage.managed) return null;
        const got = await chrome.storage.managed.get(SETTINGS_KEY);
        return got?.[SETTINGS_KEY] ?? null;
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

/** @param {import('../shared/protocol.js').CheckRequest} req */
async function handleCheck(req) {
  const [checker, stored, managed] = await Promise.all([getChecker(), getStoredSettings(), getManagedSettings()]);
  const { profiles, councils } = profilesOf(checker);
  const { settings, problems } = effectiveSettings(stored, { councils, managed });
  reportProblems(problems);
  if (!settings.council) return checkOk(null, []);
  const council = profiles.find((p) => p.id === settings.council) ?? null;
  const context = buildContext(settings, { attachments: req.attachments });
  const findings = checker.check(req.text, context);
  return checkOk(council, findings);
}

async function handleProfiles() {
  const checker = await getChecker();
  return profilesOk(checker.profiles());
}

/** @param {unknown} msg */
async function handle(msg) {
  const req = parseRequest(msg);
  if (typeof req === 'string') return failure(req);
  switch (req.type) {
    case MSG.CHECK:
      return handleCheck(req);
    case MSG.PROFILES:
      return handleProfiles();
  }
  return failure('unhandled message');
}

// Registered synchronously at top level so a message that wakes the worker is delivered.
chrome.runtime.onMessage.addListener((msg, _sender, sendResponse) => {
  const type = msg && typeof msg === 'object' ? msg.type : undefined;
  if (type !== MSG.CHECK && type !== MSG.PROFILES) return false; // not ours: let others answer
  let reply;
  try {
    reply = handle(msg);
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
  if (area === 'managed') managedPromise = null;
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

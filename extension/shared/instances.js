// Mastodon on other instances: the user grants an instance's origin through optional host
// permissions (the popup asks, on that instance's page; the options page's "Mastodon servers"
// section asks for a host name typed there); its content scripts are then registered
// at run time with chrome.scripting.registerContentScripts. The granted permissions are the only
// record: nothing else is stored. Removing the permission (browser UI) unregisters them.

export const INSTANCE_SCRIPT_ID = 'postcheck-mastodon-instances';
/** Run before content.js on a registered instance: tells it which adapter to use. */
export const INSTANCE_PRELUDE = 'mastodon-instance.js';

/**
 * Origins to register content scripts for: granted https origins that the manifest's own content
 * scripts do not already cover (exact host patterns only; never a wildcard host).
 * @param {string[]} granted chrome.permissions.getAll().origins
 * @param {string[]} builtIn the manifest's content_scripts matches
 * @returns {string[]}
 */
export function instanceMatches(granted, builtIn) {
  const own = new Set(builtIn);
  return [...new Set(granted)].filter((o) => /^https:\/\/[a-z0-9.-]+\.[a-z]{2,}\/\*$/i.test(o) && !own.has(o)).sort();
}

/** The manifest's own content-script match patterns. */
export function builtInMatches(manifest = chrome.runtime.getManifest()) {
  return (manifest.content_scripts || []).flatMap((c) => c.matches || []);
}

/**
 * Reads a Mastodon server name as a user types it ("social.example.org", also with "https://" or a
 * trailing "/") into the origin pattern to request. Synchronous, so a click handler can call
 * chrome.permissions.request at once (Firefox requires that; Chrome needs the user gesture).
 * @param {string} input
 * @param {string[]} builtIn the manifest's content_scripts matches
 * @returns {{ok: true, host: string, pattern: string} | {ok: false, reason: 'empty'|'invalid'|'builtin', host: string}}
 */
export function parseInstanceHost(input, builtIn = []) {
  let host = String(input || '').trim().toLowerCase();
  if (!host) return { ok: false, reason: 'empty', host };
  host = host.replace(/^https:\/\//, '').replace(/\/$/, '');
  const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
  const valid = host.length <= 253 && new RegExp(`^(?:${label}\\.)+[a-z]{2,63}$`).test(host);
  if (!valid) return { ok: false, reason: 'invalid', host: String(input || '').trim() };
  const pattern = `https://${host}/*`;
  if (!instanceMatches([pattern], builtIn).length) return { ok: false, reason: 'builtin', host };
  return { ok: true, host, pattern };
}

/** Host names of the Mastodon servers granted at run time (sorted). */
export async function grantedInstances() {
  const { origins = [] } = await chrome.permissions.getAll();
  return instanceMatches(origins, builtInMatches()).map((o) => new URL(o.slice(0, -1)).hostname);
}

/** Brings the registered instance scripts in line with the granted origins. */
export async function syncInstanceScripts() {
  if (!chrome.scripting || !chrome.permissions) return [];
  const builtIn = builtInMatches();
  const { origins = [] } = await chrome.permissions.getAll();
  const matches = instanceMatches(origins, builtIn);
  const existing = await chrome.scripting.getRegisteredContentScripts({ ids: [INSTANCE_SCRIPT_ID] }).catch(() => []);
  if (existing.length) await chrome.scripting.unregisterContentScripts({ ids: [INSTANCE_SCRIPT_ID] }).catch(() => {});
  if (matches.length) {
    await chrome.scripting.registerContentScripts([{
      id: INSTANCE_SCRIPT_ID,
      matches,
      js: [INSTANCE_PRELUDE, 'content.js'],
      css: ['content.css'],
      runAt: 'document_start',
      persistAcrossSessions: true,
    }]);
  }
  return matches;
}

/** Start checking an instance's open tab right away (after the grant), without a reload. */
export async function injectNow(tabId) {
  await chrome.scripting.insertCSS({ target: { tabId }, files: ['content.css'] });
  await chrome.scripting.executeScript({ target: { tabId }, files: [INSTANCE_PRELUDE, 'content.js'] });
}

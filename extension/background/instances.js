// Mastodon on other instances: the user grants an instance's origin through optional host
// permissions (the popup asks, on that instance's page); its content scripts are then registered
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

/** Brings the registered instance scripts in line with the granted origins. */
export async function syncInstanceScripts() {
  if (!chrome.scripting || !chrome.permissions) return [];
  const manifest = chrome.runtime.getManifest();
  const builtIn = (manifest.content_scripts || []).flatMap((c) => c.matches || []);
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

// postcheck — the administrator's policy (chrome.storage.managed, extension/managed_schema.json)
// as the background applies it: the council's own profile loaded into the core and sites switched
// off. Validation of the values is in shared/settings.js (validateManaged); this file only acts on
// valid ones. Working hours and per-category severities go to the core in the check's Context
// (shared/settings.js buildContext): the core raises the working-time reminder and applies them.

import CATEGORIES from '../../crate/rules/categories.json';

/** Category ids of the rule set (to validate managed `severity`). */
export const CATEGORY_IDS = Object.freeze(CATEGORIES.map((c) => c.id));

/**
 * Loads the managed `customProfile` into the checker with the core's own validation
 * (`Checker.addProfile`, the same as `postcheck profile validate`).
 * @param {{addProfile(json: string): string}} checker
 * @param {unknown} managed  the whole chrome.storage.managed area
 * @returns {{id?: string, error?: string, profile?: any} | null}  null when none is set
 */
export function loadCustomProfile(checker, managed) {
  const raw = managed && typeof managed === 'object' ? /** @type {any} */ (managed).customProfile : undefined;
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) return { error: 'not a JSON object' };
  try {
    const id = checker.addProfile(JSON.stringify(raw));
    return { id, profile: raw };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Whether postcheck is switched off by policy for this site (adapter id) or host name.
 * @param {string[]} disabledSites
 * @param {string} site
 * @param {string | undefined} url  the sending tab's URL
 */
export function siteDisabled(disabledSites, site, url) {
  if (!disabledSites || !disabledSites.length) return false;
  if (disabledSites.includes(site)) return true;
  try {
    const host = new URL(String(url)).hostname;
    return disabledSites.includes(host);
  } catch {
    return false;
  }
}

// postcheck — the administrator's policy (chrome.storage.managed, extension/managed_schema.json)
// as the background applies it: the council's own profile loaded into the core, sites switched
// off, per-category severities, and the working-time reminder. Validation of the values is in
// shared/settings.js (validateManaged); this file only acts on valid ones.

import CATEGORIES from '../../crate/rules/categories.json';
import barnsley from '../../crate/profiles/barnsley.json';
import caerphilly from '../../crate/profiles/caerphilly.json';
import chelmsford from '../../crate/profiles/chelmsford.json';
import shaftesbury from '../../crate/profiles/shaftesbury.json';
import sheffield from '../../crate/profiles/sheffield.json';
import { inWorkingHours } from '../shared/settings.js';

/** Category ids of the rule set (to validate managed `severity`). */
export const CATEGORY_IDS = Object.freeze(CATEGORIES.map((c) => c.id));

const BUILTIN = Object.freeze({ barnsley, caerphilly, chelmsford, shaftesbury, sheffield });

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

/**
 * The working-time reminder, which the core cannot raise (its Context has no working hours):
 * one whole-post `info` finding, citing the council's own `working-time` clauses, when the
 * managed `workingHours` are on now and the profile grounds the category for this mode and roles.
 * @param {{council: string, mode: string, roles: string[]}} settings
 * @param {{workingHours: any}} policy
 * @param {{id?: string, profile?: any} | null} custom
 * @param {Date} [now]
 * @returns {object | null}
 */
export function workingTimeFinding(settings, policy, custom, now = new Date()) {
  if (settings.mode !== 'personal' || !policy.workingHours || !inWorkingHours(policy.workingHours, now)) return null;
  const profile = custom && custom.id === settings.council ? custom.profile : BUILTIN[settings.council];
  const cfg = profile && profile.categories && profile.categories['working-time'];
  if (!cfg || !Array.isArray(cfg.grounds)) return null;
  const flags = new Set(settings.roles);
  const ids = [];
  for (const g of cfg.grounds) {
    if (g.modes && !g.modes.includes(settings.mode)) continue;
    if ((g.flags || []).some((f) => !flags.has(String(f).replace(/-/g, '_')))) continue;
    for (const c of g.clauses || []) if (!ids.includes(c)) ids.push(c);
  }
  const clauses = ids
    .map((id) => (profile.clauses || []).find((c) => c.id === id))
    .filter(Boolean)
    .map((c) => ({ council: profile.id, document: profile.document, clause: c.label, heading: c.heading, quote: c.quote, reference: `${profile.document} ${c.label}` }));
  if (!clauses.length) return null;
  const cat = CATEGORIES.find((c) => c.id === 'working-time');
  return {
    rule: 'managed.working-hours',
    category: 'working-time',
    title: cat ? cat.title : 'Posting in working time',
    severity: cfg.severity || (cat ? cat.severity : 'info'),
    clauses,
    start: 0,
    end: 0,
    message: `It is ${policy.workingHours.start}–${policy.workingHours.end} working time, as set by your council; its policy limits personal use of social media at work.`,
  };
}

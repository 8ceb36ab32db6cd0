// postcheck — per-device state kept in chrome.storage.local (never synced, never sent anywhere):
//
//   sitesOff    { [siteId]: true }   sites where the user switched postcheck off (popup switch)
//   pausedUntil number               epoch ms; postcheck is paused everywhere until then
//   dismissed   string[]             SHA-256 hashes (hex) of dismissed findings — never their text
//
// A finding's hash covers the council, the rule, the category and the words it is about
// (lower-cased, spaces collapsed), so dismissing "between us" once dismisses that finding wherever
// it appears for that council; only the hash is stored.

export const LOCAL_KEYS = Object.freeze({ SITES_OFF: 'sitesOff', PAUSED_UNTIL: 'pausedUntil', DISMISSED: 'dismissed' });
export const PAUSE_MS = 60 * 60 * 1000;
const DISMISSED_LIMIT = 500;

/**
 * @typedef {object} LocalState
 * @property {Record<string, boolean>} sitesOff
 * @property {number} pausedUntil
 * @property {string[]} dismissed
 */

/** @param {unknown} raw @returns {LocalState} */
export function normaliseLocal(raw) {
  const r = raw && typeof raw === 'object' ? /** @type {any} */ (raw) : {};
  const sitesOff = {};
  if (r.sitesOff && typeof r.sitesOff === 'object') {
    for (const [k, v] of Object.entries(r.sitesOff)) if (v === true) sitesOff[k] = true;
  }
  const pausedUntil = Number.isFinite(r.pausedUntil) ? r.pausedUntil : 0;
  const dismissed = Array.isArray(r.dismissed) ? r.dismissed.filter((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)) : [];
  return { sitesOff, pausedUntil, dismissed };
}

/** @returns {Promise<LocalState>} */
export async function readLocal() {
  try {
    return normaliseLocal(await chrome.storage.local.get(Object.values(LOCAL_KEYS)));
  } catch {
    return normaliseLocal(null);
  }
}

/** Is postcheck active on this site now? @param {LocalState} s @param {string} site */
export function activeOn(s, site, now = Date.now()) {
  return !s.sitesOff[site] && !(s.pausedUntil > now);
}

/** @param {string} site @param {boolean} on */
export async function setSiteEnabled(site, on) {
  const s = await readLocal();
  if (on) delete s.sitesOff[site];
  else s.sitesOff[site] = true;
  await chrome.storage.local.set({ [LOCAL_KEYS.SITES_OFF]: s.sitesOff });
}

/** Pause everywhere for an hour (or resume with ms = 0). */
export async function pause(ms = PAUSE_MS) {
  await chrome.storage.local.set({ [LOCAL_KEYS.PAUSED_UNTIL]: ms > 0 ? Date.now() + ms : 0 });
}

/** Remember a dismissed finding by its hash. @param {string} hash */
export async function dismiss(hash) {
  if (!/^[0-9a-f]{64}$/.test(hash)) return;
  const s = await readLocal();
  if (s.dismissed.includes(hash)) return;
  const next = [...s.dismissed, hash].slice(-DISMISSED_LIMIT);
  await chrome.storage.local.set({ [LOCAL_KEYS.DISMISSED]: next });
}

/**
 * The hash that identifies a finding (hex SHA-256).
 * @param {string|null} council @param {{rule: string, category: string, start: number, end: number}} f
 * @param {string} text the draft the finding's span indexes into
 */
export async function findingHash(council, f, text) {
  const words = text.slice(f.start, f.end).toLowerCase().replace(/\s+/g, ' ').trim();
  const data = new TextEncoder().encode(JSON.stringify([council || '', f.rule, f.category, words]));
  const digest = await crypto.subtle.digest('SHA-256', data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// postcheck — every user-facing string, in English (en_GB) or Welsh (cy).
//
// chrome.i18n.getMessage follows the browser's UI language only, but the user may choose the
// language in the options page (settings.language: 'auto' | 'en' | 'cy'). So both locales'
// messages.json are bundled into each script at build time (esbuild imports JSON) and looked up
// here with chrome.i18n's own placeholder rules. `_locales/*/messages.json` stay the single source
// (the manifest's name and description use __MSG_…__ from the same files).
//
// Whole sentences live in messages.json with named placeholders, so a translation can reorder
// them; nothing here concatenates sentence fragments.

import EN from '../_locales/en_GB/messages.json';
import CY from '../_locales/cy/messages.json';

/** @typedef {'en'|'cy'} Lang */
/** @typedef {'auto'|'en'|'cy'} LanguageSetting */

const BUNDLES = { en: EN, cy: CY };
const SETTINGS_KEY = 'settings'; // as shared/protocol.js (not imported: this module stays standalone)

/** @type {LanguageSetting} */
let setting = 'auto';
/** @type {Set<(lang: Lang) => void>} */
const listeners = new Set();
let started = null;

/** The browser's UI language as 'en' | 'cy'. */
export function browserLanguage() {
  let ui = '';
  try {
    ui = chrome.i18n.getUILanguage();
  } catch {
    ui = typeof navigator !== 'undefined' ? navigator.language : '';
  }
  return /^cy\b/i.test(String(ui || '')) ? 'cy' : 'en';
}

/**
 * The language a setting means.
 * @param {unknown} value settings.language
 * @returns {Lang}
 */
export function resolveLanguage(value) {
  if (value === 'en' || value === 'cy') return value;
  return browserLanguage();
}

/** The language strings are shown in now. @returns {Lang} */
export function language() {
  return resolveLanguage(setting);
}

/** BCP 47 tag of the UI language, for `lang` attributes. */
export function languageTag(lang = language()) {
  return lang === 'cy' ? 'cy' : 'en-GB';
}

/**
 * Use a language setting now (without storing it); notifies listeners if the language changed.
 * @param {unknown} value 'auto' | 'en' | 'cy' (anything else means 'auto')
 */
export function setLanguage(value) {
  const before = language();
  setting = value === 'en' || value === 'cy' ? value : 'auto';
  const after = language();
  if (after !== before) for (const fn of listeners) { try { fn(after); } catch {} }
}

/** Calls `fn(lang)` whenever the language changes; returns an unsubscribe function. */
export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Reads settings.language from chrome.storage.sync once and follows its changes.
 * Idempotent; resolves when the stored choice is in effect (or could not be read).
 * @returns {Promise<Lang>}
 */
export function loadLanguage() {
  if (started) return started;
  started = (async () => {
    try {
      chrome.storage.onChanged.addListener((changes, area) => {
        if (area === 'sync' && changes[SETTINGS_KEY]) setLanguage(languageOf(changes[SETTINGS_KEY].newValue));
      });
      const got = await chrome.storage.sync.get(SETTINGS_KEY);
      setLanguage(languageOf(got[SETTINGS_KEY]));
    } catch {
      // storage unavailable (extension reloaded, or a test page): follow the browser
    }
    return language();
  })();
  return started;
}

function languageOf(settings) {
  return settings && typeof settings === 'object' ? settings.language : undefined;
}

/**
 * Formats one messages.json entry with chrome.i18n's rules: $NAME$ → the placeholder's content,
 * in which $1…$9 are the substitutions; $$ → $.
 */
function format(entry, subs) {
  const placeholders = entry.placeholders || {};
  const fill = (s) => s.replace(/\$(\$|[1-9])/g, (m, d) => (d === '$' ? '$' : subs[Number(d) - 1] ?? ''));
  return String(entry.message).replace(/\$([A-Za-z0-9_@]+)\$|\$\$/g, (m, name) => {
    if (!name) return '$';
    const p = placeholders[name.toLowerCase()];
    return p ? fill(String(p.content)) : m;
  });
}

/**
 * A localised message in the chosen language (else English, else chrome.i18n).
 * @param {string} key message name in messages.json
 * @param {...(string|number|Array<string|number>)} subs substitutions for $1…$9, in order
 *   (an array is accepted too, as chrome.i18n.getMessage takes)
 * @returns {string} the message, or the key itself if it is missing (so a gap is visible, not blank)
 */
export function t(key, ...subs) {
  const list = (subs.length === 1 && Array.isArray(subs[0]) ? subs[0] : subs).map(String);
  const entry = BUNDLES[language()][key] || BUNDLES.en[key];
  if (entry && typeof entry.message === 'string') return format(entry, list);
  let s = '';
  try {
    s = chrome.i18n.getMessage(key, list);
  } catch {
    s = '';
  }
  return s || key;
}

/** Whether a message exists (in English, the complete locale). */
export function has(key) {
  return Object.prototype.hasOwnProperty.call(BUNDLES.en, key);
}

/** messages.json key of a category's title / explanation ("confidential-info" → "categoryConfidentialInfo"). */
export function categoryKey(id, suffix = '') {
  const camel = String(id).replace(/(^|[-_])([a-z0-9])/g, (m, sep, c) => c.toUpperCase());
  return `category${camel}${suffix}`;
}

/** A category's title in the UI language; `fallback` (the core's English title) for an unknown id. */
export function categoryTitle(id, fallback = '') {
  const key = categoryKey(id);
  return has(key) ? t(key) : fallback || String(id);
}

/** A category's one-sentence explanation in the UI language, or '' for an unknown id. */
export function categoryExplanation(id) {
  const key = categoryKey(id, 'Explain');
  return has(key) ? t(key) : '';
}

// postcheck options page: council, account type, roles and language, saved to chrome.storage.sync
// (key `settings`, shape {council, mode, roles, language} — contract §5) as soon as a control
// changes. The page is shown in the chosen language (shared/i18n.js), and switches at once.
// No network code: the list of councils comes from our own background ({type:'profiles'}).

import { t, setLanguage, languageTag } from '../shared/i18n.js';
import { profilesRequest, send, SETTINGS_KEY } from '../shared/protocol.js';
import { DEFAULT_SETTINGS, ROLES, validateSettings } from '../shared/settings.js';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const councilSelect = /** @type {HTMLSelectElement} */ ($('council'));
const languageSelect = /** @type {HTMLSelectElement} */ ($('language'));
const status = $('status');
const councilNote = $('council-note');

/** @type {Map<string, import('../shared/protocol.js').ProfileSummary>} */
const profiles = new Map();
let statusTimer = 0;

/**
 * Fill every [data-i18n] element from messages.json in the chosen language (the HTML carries
 * English as a fallback). Elements with their own `lang` (the language names) keep it.
 */
function localise() {
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const msg = t(/** @type {string} */ (el.getAttribute('data-i18n')));
    if (msg) el.textContent = msg;
  }
  document.documentElement.lang = languageTag();
}

/** messages.json key explaining a settings problem (settings.js reasons are for logs: English). */
function problemMessage(p) {
  const field = String(p.field || '').split('.').pop();
  const keys = { council: 'optionsProblemCouncil', mode: 'optionsProblemMode', roles: 'optionsProblemRoles', language: 'optionsProblemLanguage' };
  return t(keys[field] || 'optionsProblemOther');
}

/** The profiles from the background; retries while the service worker starts up. */
async function loadProfiles() {
  for (let attempt = 0; attempt < 5; attempt++) {
    const res = await send(profilesRequest());
    if (res.ok && Array.isArray(res.profiles)) return res.profiles;
    await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
  }
  return null;
}

function showCouncilNote() {
  const p = profiles.get(councilSelect.value);
  const note = p && p.note;
  councilNote.hidden = !note;
  councilNote.textContent = note || '';
}

/** Current control values as settings. */
function readForm() {
  const mode = /** @type {HTMLInputElement|null} */ (document.querySelector('input[name=mode]:checked'));
  const roles = [...document.querySelectorAll('input[name=roles]:checked')].map((el) => /** @type {HTMLInputElement} */ (el).value);
  return {
    council: councilSelect.value || null,
    mode: mode ? mode.value : DEFAULT_SETTINGS.mode,
    roles: ROLES.filter((r) => roles.includes(r)),
    language: languageSelect.value || 'auto',
  };
}

/** Show settings in the controls. */
function writeForm(s) {
  councilSelect.value = s.council && profiles.has(s.council) ? s.council : '';
  for (const el of document.querySelectorAll('input[name=mode]')) {
    /** @type {HTMLInputElement} */ (el).checked = /** @type {HTMLInputElement} */ (el).value === (s.mode || 'personal');
  }
  for (const el of document.querySelectorAll('input[name=roles]')) {
    /** @type {HTMLInputElement} */ (el).checked = (s.roles || []).includes(/** @type {HTMLInputElement} */ (el).value);
  }
  languageSelect.value = s.language || 'auto';
  setLanguage(languageSelect.value);
  localise();
  showCouncilNote();
}

function setStatus(text, isError = false) {
  clearTimeout(statusTimer);
  status.classList.toggle('error', isError);
  // Clear first so assistive technology announces a repeated "Saved".
  status.textContent = '';
  requestAnimationFrame(() => { status.textContent = text; });
  if (!isError) statusTimer = setTimeout(() => { status.textContent = ''; }, 4000);
}

async function save() {
  showCouncilNote();
  const chosen = readForm();
  const { settings, problems } = validateSettings(chosen, { councils: profiles.size ? profiles.keys() : null });
  if (problems.length) {
    setStatus(t('optionsSaveFailed', [...new Set(problems.map(problemMessage))].join(' ')), true);
    return;
  }
  try {
    // Keep fields this page does not edit (e.g. election dates).
    const stored = (await chrome.storage.sync.get(SETTINGS_KEY))[SETTINGS_KEY];
    const base = stored && typeof stored === 'object' && !Array.isArray(stored) ? stored : {};
    await chrome.storage.sync.set({ [SETTINGS_KEY]: { ...base, ...settings } });
    // A new language applies to this page at once (and, through storage, to every tab).
    setLanguage(settings.language);
    localise();
    setStatus(t('optionsSaved'));
  } catch (e) {
    setStatus(t('optionsSaveFailed', e instanceof Error ? e.message : String(e)), true);
  }
}

/** The administrator's settings (chrome.storage.managed `settings`), if any. */
async function readManaged() {
  try {
    return (await chrome.storage.managed.get(SETTINGS_KEY))[SETTINGS_KEY] || null;
  } catch {
    return null; // no managed storage schema: nothing is managed
  }
}

/** Lock the controls an administrator has set; returns the managed settings. */
function applyManaged(managed) {
  if (!managed || typeof managed !== 'object') return null;
  const { settings } = validateSettings(managed, { source: 'managed' });
  let any = false;
  if ('council' in settings) { councilSelect.disabled = true; any = true; }
  if ('mode' in settings) { for (const el of document.querySelectorAll('input[name=mode]')) el.disabled = true; any = true; }
  if ('roles' in settings) { for (const el of document.querySelectorAll('input[name=roles]')) el.disabled = true; any = true; }
  if ('language' in settings) { languageSelect.disabled = true; any = true; }
  $('managed').hidden = !any;
  return settings;
}

async function main() {
  // The stored language first (one quick read), so the page does not flash in another language.
  try {
    const s = (await chrome.storage.sync.get(SETTINGS_KEY))[SETTINGS_KEY];
    if (s && typeof s === 'object') setLanguage(validateSettings(s, {}).settings.language);
  } catch {
    // storage unavailable: follow the browser
  }
  localise();
  // Everything asynchronous first; then fill the controls and attach the listeners in one
  // synchronous step, so no change a user makes can fall between the two.
  const [list, stored, managedRaw] = await Promise.all([
    loadProfiles(),
    chrome.storage.sync.get(SETTINGS_KEY).then((r) => r[SETTINGS_KEY], () => undefined),
    readManaged(),
  ]);
  if (list) {
    const frag = document.createDocumentFragment();
    for (const p of [...list].sort((a, b) => a.name.localeCompare(b.name, 'en-GB'))) {
      profiles.set(p.id, p);
      const opt = document.createElement('option');
      opt.value = p.id;
      opt.textContent = p.name;
      if (p.language) opt.lang = p.language;
      frag.append(opt);
    }
    councilSelect.append(frag);
  } else {
    $('council-error').hidden = false;
  }
  const { settings } = validateSettings(stored ?? {}, {});
  const managed = applyManaged(managedRaw);
  writeForm({ ...DEFAULT_SETTINGS, ...settings, ...(managed || {}) });

  councilSelect.addEventListener('change', save);
  for (const el of document.querySelectorAll('input[name=mode], input[name=roles]')) el.addEventListener('change', save);
  languageSelect.addEventListener('change', save);

  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'sync' && changes[SETTINGS_KEY] && document.activeElement === document.body) {
      const { settings: s } = validateSettings(changes[SETTINGS_KEY].newValue ?? {}, {});
      writeForm({ ...DEFAULT_SETTINGS, ...s, ...(managed || {}) });
    }
  });
}

main();

// postcheck options page: council, account type and roles, saved to chrome.storage.sync
// (key `settings`, shape {council, mode, roles} — contract §5) as soon as a control changes.
// No network code: the list of councils comes from our own background ({type:'profiles'}).

import { t } from '../content/i18n.js';
import { profilesRequest, send, SETTINGS_KEY } from '../shared/protocol.js';
import { DEFAULT_SETTINGS, ROLES, validateSettings } from '../shared/settings.js';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const councilSelect = /** @type {HTMLSelectElement} */ ($('council'));
const status = $('status');
const councilNote = $('council-note');

/** @type {Map<string, import('../shared/protocol.js').ProfileSummary>} */
const profiles = new Map();
let statusTimer = 0;

/** Fill every [data-i18n] element from messages.json (the HTML carries English as a fallback). */
function localise() {
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const msg = chrome.i18n.getMessage(el.getAttribute('data-i18n'));
    if (msg) el.textContent = msg;
  }
  const lang = chrome.i18n.getUILanguage ? chrome.i18n.getUILanguage() : '';
  if (lang) document.documentElement.lang = lang;
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
    setStatus(t('optionsSaveFailed', problems.map((p) => p.reason).join('; ')), true);
    return;
  }
  try {
    // Keep fields this page does not edit (e.g. election dates).
    const stored = (await chrome.storage.sync.get(SETTINGS_KEY))[SETTINGS_KEY];
    const base = stored && typeof stored === 'object' && !Array.isArray(stored) ? stored : {};
    await chrome.storage.sync.set({ [SETTINGS_KEY]: { ...base, ...settings } });
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
  $('managed').hidden = !any;
  return settings;
}

async function main() {
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

  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'sync' && changes[SETTINGS_KEY] && document.activeElement === document.body) {
      const { settings: s } = validateSettings(changes[SETTINGS_KEY].newValue ?? {}, {});
      writeForm({ ...DEFAULT_SETTINGS, ...s, ...(managed || {}) });
    }
  });
}

main();

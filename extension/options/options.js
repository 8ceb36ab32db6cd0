// postcheck options page: council, account type, roles and language, saved to chrome.storage.sync
// (key `settings`, shape {council, mode, roles, language} — contract §5) as soon as a control
// changes. The page is shown in the chosen language (shared/i18n.js), and switches at once.
// No network code: the list of councils comes from our own background ({type:'profiles'}).

import { t, setLanguage, languageTag } from '../shared/i18n.js';
import { profilesRequest, managedRequest, send, SETTINGS_KEY } from '../shared/protocol.js';
import { DEFAULT_SETTINGS, ROLES, validateSettings, effectiveSettings } from '../shared/settings.js';
import { initInstances, renderInstances, renderCouncilHosts, setCouncilHosts } from './instances.js';

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
  renderInstances();
  renderCouncilHosts();
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

/**
 * The administrator's policy as the background applies it (it validates the council's own
 * profile with the core): {policy, problems, managed}. Falls back to validating
 * chrome.storage.managed here if the background does not answer.
 */
async function readManaged() {
  const res = await send(managedRequest());
  if (res.ok && /** @type {any} */ (res).policy) return /** @type {any} */ (res);
  let managed = null;
  try {
    managed = await chrome.storage.managed.get(null);
  } catch {
    return null; // no managed storage: nothing is managed
  }
  const { policy, problems } = effectiveSettings(null, { managed });
  return { policy, problems, managed };
}

/** One row of the "Set by your council" list. */
function managedRow(list, key, value) {
  const dt = document.createElement('dt');
  const code = document.createElement('code');
  code.textContent = key;
  dt.append(code);
  const dd = document.createElement('dd');
  dd.textContent = value;
  dd.dataset.key = key;
  list.append(dt, dd);
}

/**
 * Shows what the administrator set (read-only when locked) and every managed value that could
 * not be used, naming the key and the reason. Returns the values that override the user's.
 */
function applyManaged(state) {
  const section = $('managed-section');
  if (!state) return null;
  const { policy, problems = [] } = state;
  const locked = {};
  const list = $('managed-values');
  list.textContent = '';
  const name = (id) => (profiles.get(id) ? `${profiles.get(id).name} (${id})` : id);
  if (policy.council) {
    managedRow(list, 'council', name(policy.council) + (policy.lockCouncil ? ' — locked' : ' — starting choice'));
    if (policy.lockCouncil) { councilSelect.disabled = true; locked.council = policy.council; }
  }
  if (policy.customProfileId) managedRow(list, 'customProfile', name(policy.customProfileId));
  if (policy.mode) {
    managedRow(list, 'accountMode', policy.mode + (policy.lockMode ? ' — locked' : ' — starting choice'));
    if (policy.lockMode) { for (const el of document.querySelectorAll('input[name=mode]')) /** @type {HTMLInputElement} */ (el).disabled = true; locked.mode = policy.mode; }
  }
  if (policy.roles) {
    managedRow(list, 'roles', policy.roles.length ? policy.roles.map((r) => r.replace(/_/g, '-')).join(', ') : '—');
    for (const el of document.querySelectorAll('input[name=roles]')) /** @type {HTMLInputElement} */ (el).disabled = true;
    locked.roles = policy.roles;
  }
  if (policy.elections) managedRow(list, 'electionDates', policy.elections.join(', ') || '—');
  if (policy.workingHours) managedRow(list, 'workingHours', `${policy.workingHours.days.join(', ')} ${policy.workingHours.start}–${policy.workingHours.end}`);
  const sev = Object.entries(policy.severity || {});
  if (sev.length) managedRow(list, 'severity', sev.map(([c, v]) => `${c}: ${v}`).join(', '));
  if (policy.disabledSites && policy.disabledSites.length) managedRow(list, 'disabledSites', policy.disabledSites.join(', '));
  if (policy.mastodonHosts && policy.mastodonHosts.length) managedRow(list, 'mastodonHosts', policy.mastodonHosts.join(', '));
  setCouncilHosts(policy.mastodonHosts);
  const ul = $('managed-problem-list');
  ul.textContent = '';
  for (const p of problems.filter((x) => String(x.field).startsWith('managed.'))) {
    const li = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = String(p.field).slice('managed.'.length) || '(policy)';
    li.append(code, `: ${p.reason}`);
    li.dataset.key = code.textContent;
    ul.append(li);
  }
  $('managed-problems').hidden = !ul.childElementCount;
  section.hidden = !list.childElementCount && !ul.childElementCount;
  $('managed').hidden = !Object.keys(locked).length;
  return locked;
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
  initInstances();
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
  // Unlocked council / account type from the council are the starting choice until the user picks.
  const start = {};
  if (managedRaw && managedRaw.policy) {
    if (managedRaw.policy.council && !settings.council) start.council = managedRaw.policy.council;
    if (managedRaw.policy.mode && !('mode' in settings)) start.mode = managedRaw.policy.mode;
  }
  writeForm({ ...DEFAULT_SETTINGS, ...start, ...settings, ...(managed || {}) });

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

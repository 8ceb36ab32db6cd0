// postcheck — toolbar popup: the council in use, the findings in the post boxes of the current
// page (each can be dismissed: remembered on this device by the finding's hash, never its text),
// a switch for the current site and "Pause for 1 hour".
//
// The current tab is the active one; `popup.html#tab=ID` names another (used when the popup is
// opened as a page, e.g. by the browser tests). Talks only to our own content script
// (chrome.tabs.sendMessage) and background (profiles); nothing leaves the device.
import { t, loadLanguage, languageTag } from '../shared/i18n.js';
import { SETTINGS_KEY, profilesRequest, managedRequest, send } from '../shared/protocol.js';
import { effectiveSettings } from '../shared/settings.js';
import { readLocal, setSiteEnabled, pause, dismiss } from '../shared/local-state.js';
import { injectNow } from '../shared/instances.js';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

async function currentTab() {
  const m = /(?:^#|&)tab=(\d+)/.exec(location.hash);
  if (m) return Number(m[1]);
  try {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    return tab ? tab.id : null;
  } catch {
    return null;
  }
}

async function pageState(tabId) {
  if (tabId == null) return null;
  try {
    const r = await chrome.tabs.sendMessage(tabId, { type: 'page-findings' }, { frameId: 0 });
    return r && r.ok ? r : null;
  } catch {
    return null; // no postcheck content script in that tab
  }
}

async function councilName() {
  let stored = null, managed = null;
  try { stored = (await chrome.storage.sync.get(SETTINGS_KEY))[SETTINGS_KEY] ?? null; } catch {}
  const res = await send(profilesRequest());
  const profiles = res.ok ? res.profiles : [];
  // The background applies the administrator's policy (and its own profile); ask it first.
  const applied = await send(managedRequest());
  if (applied.ok && applied.settings) {
    const p = profiles.find((x) => x.id === applied.settings.council);
    return p ? p.name : applied.settings.council || null;
  }
  try { managed = await chrome.storage.managed.get(null); } catch {}
  const { settings } = effectiveSettings(stored, { councils: res.ok ? profiles.map((p) => p.id) : null, managed });
  const p = profiles.find((x) => x.id === settings.council);
  return p ? p.name : settings.council || null;
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, String(v));
  el.append(...children.filter((c) => c != null));
  return el;
}

let tabId = null;
let state = null;

async function render() {
  await loadLanguage();
  document.documentElement.lang = languageTag();
  const [name, page, local] = await Promise.all([councilName(), pageState(tabId), readLocal()]);
  state = page;
  $('council').textContent = name ? t('popupCouncil', name) : t('popupNoCouncil');
  $('findings-heading').textContent = t('popupFindingsHeading');
  $('settings').textContent = t('popupSettings');

  const list = $('findings');
  list.replaceChildren();
  const findings = page ? page.findings : [];
  for (const f of findings) {
    const what = h('div', { class: 'what' },
      h('div', { class: 'title' }, f.title),
      f.words ? h('div', { class: 'words' }, `“${f.words}”`) : null,
      f.references.length ? h('div', { class: 'ref' }, f.references.join('; ')) : null);
    const li = h('li', {}, what);
    if (f.hash) {
      const btn = h('button', { type: 'button', 'aria-label': t('popupDismissLabel', f.words || f.title, f.title) }, t('popupDismiss'));
      btn.addEventListener('click', async () => {
        const next = li.nextElementSibling || li.previousElementSibling;
        await dismiss(f.hash);
        li.remove();
        if (next) /** @type {HTMLElement|null} */ (next.querySelector('button'))?.focus();
        else $('findings-heading').focus();
        if (!list.children.length) $('findings-empty').textContent = t('popupNoFindings');
      });
      li.append(btn);
    }
    list.append(li);
  }
  $('findings-heading').tabIndex = -1;
  $('findings-empty').textContent = !page ? t('popupNotHere') : findings.length ? '' : t('popupNoFindings');

  // Not a site postcheck runs on: offer to check it as a Mastodon server (optional host permission
  // for that one origin; the background registers the content script once it is granted).
  const instance = page ? null : await instanceOrigin(tabId);
  $('instance-row').hidden = !instance;
  if (instance) $('add-instance').textContent = t('popupAddInstance', new URL(instance).hostname);

  const row = $('site-row');
  row.hidden = !page;
  if (page) {
    const sw = /** @type {HTMLInputElement} */ ($('site-switch'));
    sw.checked = !local.sitesOff[page.site];
    $('site-label').textContent = t('popupSiteSwitch', page.host);
  }
  const paused = local.pausedUntil > Date.now();
  const time = new Date(local.pausedUntil).toLocaleTimeString(languageTag(), { hour: '2-digit', minute: '2-digit' });
  $('pause-state').textContent = paused ? t('popupPausedUntil', time) : '';
  $('pause').textContent = paused ? t('popupResume') : t('popupPause');
}

/** The https origin of the tab (known through activeTab when the popup was opened), if any. */
async function instanceOrigin(id) {
  if (id == null) return null;
  try {
    const tab = await chrome.tabs.get(id);
    const u = tab && tab.url ? new URL(tab.url) : null;
    return u && u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

$('add-instance').addEventListener('click', async () => {
  const origin = await instanceOrigin(tabId);
  if (!origin) return;
  let granted = false;
  try {
    granted = await chrome.permissions.request({ origins: [`${origin}/*`] });
  } catch {
    granted = false;
  }
  if (!granted) return;
  try { await injectNow(tabId); } catch {}
  await render();
});

$('site-switch').addEventListener('change', async (e) => {
  if (!state) return;
  await setSiteEnabled(state.site, /** @type {HTMLInputElement} */ (e.target).checked);
});

$('pause').addEventListener('click', async () => {
  const local = await readLocal();
  await pause(local.pausedUntil > Date.now() ? 0 : undefined);
  await render();
  $('pause').focus();
});

$('settings').addEventListener('click', (e) => {
  e.preventDefault();
  chrome.runtime.openOptionsPage().catch(() => {});
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'sync' && SETTINGS_KEY in changes) render();
});

// First paint at once (the labels in the browser's language), then the page's state.
$('findings-heading').textContent = t('popupFindingsHeading');
$('settings').textContent = t('popupSettings');
$('pause').textContent = t('popupPause');
(async () => {
  tabId = await currentTab();
  await render();
  document.body.dataset.ready = 'true';
})();


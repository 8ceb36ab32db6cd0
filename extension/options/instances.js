// Options page: "Mastodon servers" — the Mastodon servers (besides mastodon.social) postcheck checks.
// The granted optional host permissions are the only record (shared/instances.js): the list is
// chrome.permissions.getAll(); "Add server" asks the browser for the typed host's origin (from the
// click, so the request carries the user's gesture; the host name is checked synchronously first);
// "Remove" gives the permission back. The servers the council lists (managed `mastodonHosts`) each
// get a one-click "Allow on <host>" until granted. The background registers / unregisters the content scripts
// when the permissions change (permissions.onAdded / onRemoved → syncInstanceScripts).
import { t } from '../shared/i18n.js';
import { parseInstanceHost, grantedInstances, builtInMatches } from '../shared/instances.js';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

let hosts = [];
/** The managed `mastodonHosts` (validated host names), in the administrator's order. */
let councilHosts = [];

function showError(message) {
  const err = $('instance-error');
  const input = $('instance-host');
  err.textContent = message || '';
  err.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function setStatus(message) {
  $('instance-status').textContent = message || '';
}

/** Draws the list of granted servers (also after a language change). */
export function renderInstances() {
  const list = $('instances-list');
  if (!list) return;
  list.replaceChildren();
  for (const host of hosts) {
    const name = document.createElement('span');
    name.className = 'instance-host';
    name.textContent = host;
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.textContent = t('optionsInstanceRemove');
    btn.setAttribute('aria-label', t('optionsInstanceRemoveLabel', host));
    btn.addEventListener('click', () => remove(host));
    const li = document.createElement('li');
    li.append(name, ' ', btn);
    list.append(li);
  }
  list.hidden = !hosts.length;
  $('instances-none').hidden = hosts.length > 0;
}

/**
 * Draws "Your council's servers": each managed `mastodonHosts` entry with, until it is granted, a
 * one-click "Allow on <host>" button that asks the browser for exactly that server's origin
 * (`https://<host>/*`); a granted server shows as allowed. Hidden when the council lists none.
 */
export function renderCouncilHosts() {
  const box = document.getElementById('council-servers');
  const list = document.getElementById('council-servers-list');
  if (!box || !list) return;
  list.replaceChildren();
  const builtIn = builtInMatches();
  for (const host of councilHosts) {
    const li = document.createElement('li');
    li.dataset.host = host;
    const name = document.createElement('span');
    name.className = 'instance-host';
    name.textContent = host;
    li.append(name, ' ');
    const parsed = parseInstanceHost(host, builtIn);
    if (!parsed.ok || hosts.includes(parsed.host)) {
      // granted, or one postcheck checks anyway (mastodon.social)
      const ok = document.createElement('span');
      ok.className = 'granted';
      ok.dataset.state = 'granted';
      ok.textContent = t('optionsCouncilServerGranted');
      li.append(ok);
    } else {
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.dataset.state = 'not-granted';
      btn.textContent = t('optionsCouncilServerAllow', parsed.host);
      btn.addEventListener('click', () => allow(parsed));
      li.append(btn);
    }
    list.append(li);
  }
  box.hidden = !councilHosts.length;
}

/**
 * Asks for one council server's origin. No await before the request: it must run inside the
 * click's user gesture (Chrome) / the click handler itself (Firefox).
 * @param {{host: string, pattern: string}} parsed
 */
function allow(parsed) {
  setStatus('');
  chrome.permissions.request({ origins: [parsed.pattern] }).then((granted) => granted, () => false).then(async (granted) => {
    await refresh();
    if (granted) setStatus(t('optionsInstanceAdded', parsed.host));
    else setStatus(t('optionsInstanceDenied', parsed.host));
  });
}

/**
 * The council's Mastodon servers from the managed policy (`policy.mastodonHosts`, already
 * validated by shared/settings.js); redraws the section.
 * @param {string[] | undefined} list
 */
export function setCouncilHosts(list) {
  councilHosts = Array.isArray(list) ? [...new Set(list.map((h) => String(h).toLowerCase()))] : [];
  renderCouncilHosts();
}

async function refresh() {
  try {
    hosts = await grantedInstances();
  } catch {
    hosts = [];
  }
  renderInstances();
  renderCouncilHosts();
  document.getElementById('instances-section')?.setAttribute('data-ready', 'true');
}

async function remove(host) {
  let removed = false;
  try {
    removed = await chrome.permissions.remove({ origins: [`https://${host}/*`] });
  } catch {
    removed = false;
  }
  await refresh();
  if (removed) setStatus(t('optionsInstanceRemoved', host));
  $('instance-host').focus();
}

function add(e) {
  e.preventDefault();
  setStatus('');
  const input = /** @type {HTMLInputElement} */ ($('instance-host'));
  const parsed = parseInstanceHost(input.value, builtInMatches());
  if (!parsed.ok) {
    showError(parsed.reason === 'empty' ? t('optionsInstanceEmpty')
      : parsed.reason === 'builtin' ? t('optionsInstanceBuiltIn', parsed.host)
        : t('optionsInstanceInvalid', parsed.host));
    input.focus();
    return;
  }
  showError('');
  // No await before this call: it must run inside the click's user gesture.
  chrome.permissions.request({ origins: [parsed.pattern] }).then((granted) => granted, () => false).then(async (granted) => {
    await refresh();
    if (granted) {
      input.value = '';
      setStatus(t('optionsInstanceAdded', parsed.host));
    } else {
      showError(t('optionsInstanceDenied', parsed.host));
    }
  });
}

export function initInstances() {
  $('instance-form').addEventListener('submit', add);
  try {
    chrome.permissions.onAdded.addListener(refresh);
    chrome.permissions.onRemoved.addListener(refresh);
  } catch {
    // no permissions events (should not happen in MV3)
  }
  return refresh();
}

// postcheck content script (bundled by extension/build.mjs into content.js, an IIFE injected at
// document_start). Watches the post composer, sends the draft to the background as the user
// types, marks findings inline, shows a compact note beside the box, and holds a post that has
// findings until the user has seen them.
//
// Rules this file keeps: never mutate the host editor's DOM (read it, draw on top of it); the
// user's draft is never eaten; they can always post anyway; nothing leaves the device (the only
// channel is chrome.runtime messaging to our own background); no work at page load on pages
// without a composer (listeners only; composers are discovered from events).

import { adapterFor, GENERIC_SUBMIT, SUBMIT_LABEL } from './adapters.js';
import { CheckerClient, LatestCheck } from './checker-client.js';
import { Compositions, Guard } from './guard.js';
import { Marks } from './marks.js';
import { isField, readModel } from './text-model.js';
import { UI } from './ui.js';
import { profilesRequest, send, SETTINGS_KEY } from '../shared/protocol.js';
import { activeOn, normaliseLocal, readLocal, LOCAL_KEYS } from '../shared/local-state.js';

// Bench-only instrumentation (tests/bench/browser-bench.mjs): the statements labelled
// POSTCHECK_BENCH. The shipped build drops them (esbuild `dropLabels`), and with them every use
// of the helpers below, which tree shaking then removes; extension/build.mjs fails a shipped
// build whose bundles still contain any of it. In a bench build (node extension/build.mjs
// --bench, into dist/chrome-bench) the content script reports, via
// console.debug (seen by the bench through Playwright's page 'console' event; nothing is put in
// the page), each trusted keydown's event time and each render's time and text, in ms on the
// page's performance.now() clock, and the longest synchronous run of its own typing-path work.
const bench = { workMaxMs: 0, workCount: 0, slow: [] };
/** Bench build: report an event (`ev`: 'key' | 'marks') with the work timed since the last one. */
function benchLog(ev, data) {
  console.debug(`postcheck-bench ${JSON.stringify({ ev, now: performance.now(), ...data, workMaxMs: bench.workMaxMs, workCount: bench.workCount, slow: bench.slow })}`);
  bench.workMaxMs = 0;
  bench.workCount = 0;
  bench.slow = [];
}
/** Bench build: time `fn` as content-script work named `what`; runs over 8 ms are listed. */
function benchWork(what, fn) {
  const t0 = performance.now();
  try { return fn(); } finally {
    const ms = performance.now() - t0;
    bench.workCount++;
    if (ms > bench.workMaxMs) bench.workMaxMs = ms;
    if (ms > 8) bench.slow.push({ what, at: t0, ms });
  }
}
POSTCHECK_BENCH: window.addEventListener('keydown', (e) => { if (e.isTrusted) benchLog('key', { t: e.timeStamp, key: e.key }); }, { capture: true });

const adapter = adapterFor(location.hostname, typeof globalThis.postcheckSite === 'string' ? globalThis.postcheckSite : null);
const client = new CheckerClient(adapter.id);
const ui = new UI();
const marks = new Marks(ui);
/** IME compositions in progress (see Compositions in guard.js: how a composition ends). */
const compositions = new Compositions();

/**
 * @typedef {object} ComposerState
 * @property {Element} el
 * @property {string|null} text        text at the last refresh (the latest wanted; UTF-16 string as typed)
 * @property {boolean} attachments
 * @property {LatestCheck} checks      its checks: one request in flight at most, the latest text wins
 * @property {MutationObserver|null} observer
 * @property {Range|null} caret         the last selection inside it (contenteditable), to restore
 */

/** @type {Map<Element, ComposerState>} */
const composers = new Map();
/** @type {ComposerState|null} */
let active = null;
let lastCouncil = null;

// Per-device switches (popup): this site switched off, or paused everywhere for a while.
let local = normaliseLocal(null);
let pauseTimer = 0;
const enabled = () => activeOn(local, adapter.id);

// ------------------------------------------------------------------ finding composers

/** Open shadow roots seen on event paths (composers may live inside web components). */
const shadowRoots = new Set();

/** The element an event really started at (through open shadow roots). */
function origin(e) {
  const path = e.composedPath ? e.composedPath() : [];
  for (const n of path) if (n instanceof ShadowRoot && n.mode === 'open') shadowRoots.add(n);
  let t = path.length ? path[0] : e.target;
  if (t && t.nodeType === 3) t = t.parentElement;
  return t instanceof Element ? t : null;
}

/** An element's parent, stepping out of a shadow root to its host. */
function parentOf(el) {
  if (el.parentElement) return el.parentElement;
  const r = el.parentNode;
  return r instanceof ShadowRoot ? r.host : null;
}

/** Does `scope` contain `el`, also through shadow roots? */
function deepContains(scope, el) {
  for (let n = el; n; n = parentOf(n)) if (n === scope) return true;
  return false;
}

/** querySelectorAll on `scope` plus the open shadow roots seen so far that lie inside it. */
function deepAll(scope, selector) {
  const out = [...scope.querySelectorAll(selector)];
  for (const r of shadowRoots) {
    if (!r.host.isConnected) { shadowRoots.delete(r); continue; }
    if (deepContains(scope, r.host)) for (const el of r.querySelectorAll(selector)) if (!out.includes(el)) out.push(el);
  }
  return out;
}

/** The editing host of a generic editable (outermost contenteditable), or a textarea. */
function genericComposer(el) {
  const ta = el.closest('textarea');
  if (ta) return ta.readOnly || ta.disabled ? null : ta;
  const ce = /** @type {HTMLElement} */ (el);
  if (ce.isContentEditable) {
    let root = ce;
    while (root.parentElement && root.parentElement.isContentEditable) root = root.parentElement;
    return root;
  }
  return null;
}

/**
 * The composer an element belongs to, by the site adapter's selector, else generically.
 * @param {Element|null} el
 * @returns {Element|null}
 */
function composerFrom(el) {
  if (!el || ui.owns(el)) return null;
  const hit = el.closest(adapter.composer);
  if (hit) return hit;
  return adapter.generic ? genericComposer(el) : null;
}

function isComposer(el) {
  return el.matches(adapter.composer) || (adapter.generic && genericComposer(el) === el);
}

/** The nearest ancestor `form` or `[role=dialog]` (the scope of a generically found control). */
function formOrDialog(el) {
  for (let a = el; a; a = parentOf(a)) if (a.matches('form, [role=dialog]')) return a;
  return null;
}

const submitLabel = adapter.submitLabel || SUBMIT_LABEL;

function labelOf(el) {
  return (el.getAttribute('aria-label') || (el instanceof HTMLInputElement ? el.value : el.textContent) || '').trim();
}

/**
 * Is `control` (matched by GENERIC_SUBMIT, inside a form or dialog) a generic site's submit
 * control: a form's submit button, or a control labelled as posting (SUBMIT_LABEL / the adapter's)?
 * The one test both directions use — from a clicked control (submitFrom) and from a composer
 * (submitFor) — so they agree on what the submit control is.
 * @param {Element} control
 */
function isGenericSubmit(control) {
  const isSubmit = (control instanceof HTMLButtonElement || control instanceof HTMLInputElement) && control.type === 'submit' && !!control.form;
  return isSubmit || submitLabel.test(labelOf(control));
}

/**
 * The submit control an element belongs to, if any.
 * @param {Element|null} el
 * @returns {{control: Element, composers: Element[]} | null}
 */
function submitFrom(el) {
  if (!el || ui.owns(el)) return null;
  if (adapter.submit) {
    const control = el.closest(adapter.submit);
    if (control) {
      const found = composersNear(control);
      if (found.length) return { control, composers: found };
    }
  }
  if (!adapter.generic) return null;
  const control = el.closest(GENERIC_SUBMIT);
  if (!control || isComposer(control)) return null;
  const scope = formOrDialog(control);
  if (!scope || !isGenericSubmit(control)) return null;
  const found = deepAll(scope, 'textarea, [contenteditable=""], [contenteditable="true"]')
    .map((c) => composerFrom(c)).filter((c, i, a) => c && a.indexOf(c) === i);
  return found.length ? { control, composers: found } : null;
}

/** Composers sharing the nearest ancestor of a site submit control that has any. */
function composersNear(control) {
  let depth = 0;
  for (let a = parentOf(control); a && depth < 25; a = parentOf(a), depth++) {
    const found = deepAll(a, adapter.composer);
    for (const s of composers.values()) if (deepContains(a, s.el) && !found.includes(s.el)) found.push(s.el);
    if (found.length) return found;
    if (a === document.body) break;
  }
  return [];
}

/**
 * The submit control for a composer: walk up until an ancestor contains one.
 * @param {Element} composer
 * @returns {Element|null}
 */
function submitFor(composer) {
  let depth = 0;
  for (let a = parentOf(composer); a && depth < 25; a = parentOf(a), depth++) {
    if (adapter.submit) {
      const c = a.querySelector(adapter.submit);
      if (c) return c;
    }
    if (adapter.generic && (a.matches('form, [role=dialog]'))) {
      for (const c of a.querySelectorAll(GENERIC_SUBMIT)) if (!isComposer(c) && isGenericSubmit(c)) return c;
      return null;
    }
    if (a === document.body) break;
  }
  return null;
}

/** Does the composer's surroundings show an attached image/video? */
function hasAttachments(composer) {
  if (!adapter.attachments) return false;
  const control = submitFor(composer);
  let scope = parentOf(composer);
  if (control) {
    scope = parentOf(control);
    while (scope && !deepContains(scope, composer)) scope = parentOf(scope);
  }
  return !!(scope && deepAll(scope, adapter.attachments).length);
}

// ------------------------------------------------------------------ checking

/** Start watching a composer (first focus / input). */
function track(el) {
  let s = composers.get(el);
  if (s) return s;
  ensureLocal();
  s = { el, text: null, attachments: false, checks: null, observer: null, caret: null };
  const state = s;
  s.checks = new LatestCheck(client, (result) => render(state, result));
  if (!isField(el)) {
    // Editors such as Draft.js render typed text themselves, often without a native input
    // event; observing (never touching) their DOM catches every change.
    s.observer = new MutationObserver(() => refresh(s));
    s.observer.observe(el, { childList: true, characterData: true, subtree: true });
  }
  composers.set(el, s);
  return s;
}

function untrackGone() {
  for (const s of composers.values()) {
    if (!s.el.isConnected) {
      if (s.observer) s.observer.disconnect();
      s.checks.cancel();
      composers.delete(s.el);
      marks.clear(s.el);
      if (active === s) { active = null; ui.hideNote(); }
    }
  }
}

/**
 * Read a composer's current text; check it (from cache if already checked); re-mark.
 *
 * The typing path: called on every input / editor mutation, so it does as little as it can.
 * Text and attachments unchanged since the last call, with the answer shown or on its way → nothing
 * (no request, no re-mark). A cached answer → rendered at once. Otherwise the text is wanted from
 * the composer's LatestCheck: one request in flight at a time, the latest text wins, stale answers
 * dropped — fast typing costs one check per round trip, not one per key.
 */
function refresh(s) {
  POSTCHECK_BENCH: return benchWork('refresh', () => refreshNow(s));
  return refreshNow(s);
}

function refreshNow(s) {
  if (!s.el.isConnected) { untrackGone(); return; }
  if (compositions.has(s.el)) return;
  if (!enabled()) {
    s.text = null;
    s.checks.cancel();
    marks.clear(s.el);
    if (active === s) ui.hideNote();
    return;
  }
  const model = readModel(s.el);
  const attachments = hasAttachments(s.el);
  if (model.text === s.text && attachments === s.attachments && (s.checks.wanted || client.cached(model.text, attachments))) return;
  s.text = model.text;
  s.attachments = attachments;
  if (!model.text.trim()) {
    s.checks.cancel();
    render(s, { ok: true, text: model.text, attachments, council: lastCouncil, findings: [] });
    return;
  }
  const hit = client.cached(model.text, attachments);
  if (hit) { s.checks.cancel(); render(s, hit); return; }
  s.checks.want(model.text, attachments);
}

/** Apply a result to a composer: marks and (if it is the active one) the note. */
function render(s, result) {
  POSTCHECK_BENCH: return benchWork('render', () => renderNow(s, result));
  return renderNow(s, result);
}

function renderNow(s, result) {
  if (compositions.has(s.el)) return;
  if (!result.ok) { marks.clear(s.el); if (active === s) ui.hideNote(); return; }
  if (result.council) lastCouncil = result.council;
  const model = readModel(s.el);
  if (model.text !== result.text) return; // changed again; a newer check is on its way
  marks.set(model, result.findings);
  if (active === s) {
    ui.renderNote(s.el, result, { avoid: submitFor(s.el), caveat: caveatFor(result.council) });
  }
  POSTCHECK_BENCH: benchLog('marks', { text: result.text, findings: result.findings.length });
}

function refreshAll() {
  untrackGone();
  for (const s of composers.values()) { s.text = null; refresh(s); }
}

// Profile notes (e.g. Caerphilly: a report, not a policy), fetched once when first needed.
let profileNotes = null;
let profilesAsked = false;
function caveatFor(council) {
  if (!council) return null;
  if (profileNotes) return profileNotes.get(council.id) || null;
  if (!profilesAsked) {
    profilesAsked = true;
    send(profilesRequest()).then((res) => {
      if (!res.ok) { profilesAsked = false; return; }
      profileNotes = new Map(res.profiles.map((p) => [p.id, p.note || null]));
      if (active && profileNotes.get(council.id)) { active.text = null; refresh(active); }
    });
  }
  return null;
}

function activate(el) {
  const s = track(el);
  if (active !== s) {
    active = s;
    ui.hideNote();
    s.text = null; // re-render the note for this composer
  }
  refresh(s);
  return s;
}

// ------------------------------------------------------------------ the guard

/** Focus a composer and put the caret back where the user left it (selection only; no DOM change). */
function restoreFocus(el) {
  const s = composers.get(el);
  /** @type {HTMLElement} */ (el).focus({ preventScroll: true });
  const r = s && s.caret;
  if (!r || isField(el)) return;
  if (!r.startContainer.isConnected || !el.contains(r.startContainer) || !el.contains(r.endContainer)) return;
  const sel = document.getSelection();
  if (!sel) return;
  sel.removeAllRanges();
  sel.addRange(r);
}

const guard = new Guard({
  client,
  enabled,
  restoreFocus,
  ui,
  submitFor,
  caveatFor,
  snapshot: (el) => {
    const s = composers.get(el);
    return { text: readModel(el).text, attachments: hasAttachments(el), composing: compositions.has(el) };
  },
  afterSubmit: (el) => {
    // The site usually clears the composer after posting. A contenteditable's clearing is seen by
    // its MutationObserver, but a textarea's value set by script fires no event at all (no input;
    // Chromium 156 fires no selectionchange for it while focused either — measured), so the marks
    // and note of the posted text would stay up. Two one-shot re-reads after a submission went
    // through — not polling: nothing repeats, and nothing runs while typing.
    const s = composers.get(el);
    if (!s) return;
    const again = () => { s.text = null; refresh(s); };
    setTimeout(again, 50);
    setTimeout(again, 400);
  },
});

/** Is this keydown in composer `el` a submission by the site's keyboard convention? */
function isKeySubmit(e, el) {
  if (e.key !== 'Enter' || e.altKey || e.shiftKey) return false;
  const mod = e.ctrlKey || e.metaKey;
  if (mod && adapter.keys.includes('mod+enter')) return true;
  // Comment boxes that send on a plain Enter (Shift+Enter is a new line).
  return !mod && !!adapter.enterSends && el.matches(adapter.enterSends);
}

// ------------------------------------------------------------------ listeners (document_start)

const opts = { capture: true };

window.addEventListener('focusin', (e) => {
  if (ui.warningOpen) {
    if (ui.owns(e.target)) e.stopImmediatePropagation(); // keep the site's focus traps out of it
    else ui.refocusDialog();
    return;
  }
  const el = composerFrom(origin(e));
  if (!el) return;
  activate(el);
  // The background may be asleep (stopped after 30 s idle): wake it while the caret is placed,
  // not after the first keystroke. Rate-limited by CheckerClient.warm (20 s of silence).
  if (enabled()) client.warm();
}, opts);

window.addEventListener('input', (e) => {
  const el = composerFrom(origin(e));
  if (!el) return;
  compositions.input(el, !!(/** @type {InputEvent} */ (e).isComposing)); // a missed compositionend
  const s = composers.get(el) || activate(el);
  if (active !== s) activate(el);
  else refresh(s);
}, opts);

window.addEventListener('compositionstart', (e) => {
  const el = composerFrom(origin(e));
  if (el) { track(el); compositions.start(el); }
}, opts);

// Wherever it lands (focus may have moved mid-composition): every composition is over.
window.addEventListener('compositionend', (e) => {
  const el = composerFrom(origin(e));
  const ended = compositions.end();
  if (el && !ended.includes(el)) ended.push(el);
  for (const c of ended) {
    const s = composers.get(c) || track(c);
    refresh(s);
  }
}, opts);

window.addEventListener('focusout', (e) => {
  const el = composerFrom(origin(e));
  if (el && compositions.blur(el)) { const s = composers.get(el); if (s) refresh(s); }
}, opts);

window.addEventListener('keydown', (e) => {
  if (ui.warningOpen) {
    if (ui.owns(e.target)) {
      ui.handleDialogKey(e);
      e.stopImmediatePropagation(); // the site's keyboard shortcuts must not see our dialog's keys
    }
    return;
  }
  if (e.isComposing || e.keyCode === 229) return; // IME: Enter commits the composition
  const t = origin(e);
  const el = composerFrom(t);
  if (el && isKeySubmit(e, el)) {
    track(el);
    // Enter-to-send boxes are sent by the key itself: re-issue the key, never a nearby button
    // (which may belong to another composer).
    const keyOnly = !(e.ctrlKey || e.metaKey);
    const near = keyOnly ? null : submitFor(el);
    const scope = near ? composersNear(near) : [];
    guard.decide(e, {
      kind: 'key', keyOnly, composers: scope.includes(el) ? scope : [el], control: near, form: null,
      keyInit: { key: e.key, code: e.code, ctrlKey: e.ctrlKey, metaKey: e.metaKey, shiftKey: e.shiftKey, altKey: e.altKey },
    });
    return;
  }
  if ((e.key === 'Enter' || e.key === ' ') && !e.ctrlKey && !e.metaKey && !e.altKey && !el) {
    // Enter/Space on a focused submit control: div[role=button] handlers act on keydown.
    const sub = submitFrom(t);
    if (sub) guard.decide(e, { kind: 'click', composers: sub.composers, control: sub.control, form: null, keyInit: null });
  }
}, opts);

window.addEventListener('click', (e) => {
  if (ui.warningOpen && !ui.owns(e.target)) {
    e.preventDefault();
    e.stopImmediatePropagation();
    return;
  }
  const sub = submitFrom(origin(e));
  if (sub) guard.decide(e, { kind: 'click', composers: sub.composers, control: sub.control, form: null, keyInit: null });
}, opts);

window.addEventListener('submit', (e) => {
  const form = e.target;
  if (!(form instanceof HTMLFormElement) || !(adapter.formSubmit || adapter.generic)) return;
  const found = deepAll(form, adapter.composer);
  if (adapter.generic) {
    for (const c of deepAll(form, 'textarea, [contenteditable=""], [contenteditable="true"]')) {
      const g = composerFrom(c);
      if (g && !found.includes(g)) found.push(g);
    }
  }
  if (!found.length) return;
  guard.decide(e, { kind: 'submit', composers: found, control: e.submitter || null, form, keyInit: null });
}, opts);

// Remember the caret inside the active contenteditable composer (to restore it after the warning).
document.addEventListener('selectionchange', () => {
  if (!active || isField(active.el) || ui.warningOpen) return;
  const sel = document.getSelection();
  if (sel && sel.rangeCount && active.el.contains(sel.anchorNode)) active.caret = sel.getRangeAt(0).cloneRange();
}, { passive: true });

const onLayout = () => {
  if (!ui.host) return;
  ui.schedulePosition(() => marks.reposition());
};
window.addEventListener('scroll', onLayout, { capture: true, passive: true });
window.addEventListener('resize', onLayout, { passive: true });

// Settings changed (options page, or an administrator): the same text may now give different
// findings, so forget every answer and re-check the composers at once.
try {
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'managed' || (changes && SETTINGS_KEY in changes)) {
      client.invalidate();
      const next = area === 'sync' && changes[SETTINGS_KEY] ? changes[SETTINGS_KEY].newValue : null;
      if (next && typeof next === 'object') client.expectCouncil(typeof next.council === 'string' ? next.council : null);
      profileNotes = null;
      profilesAsked = false;
      if (composers.size) refreshAll();
    }
  });
} catch {
  // storage unavailable (extension reloaded): nothing to listen to
}

// ------------------------------------------------------------------ per-device switches, popup

function applyLocal(next) {
  local = next;
  client.setDismissed(local.dismissed);
  client.invalidate();
  clearTimeout(pauseTimer);
  const left = local.pausedUntil - Date.now();
  if (left > 0) pauseTimer = setTimeout(() => { if (composers.size) refreshAll(); }, Math.min(left + 50, 2 ** 31 - 1));
  if (composers.size) refreshAll();
}

// Read lazily (first composer), so pages without one do no work at load.
let localLoaded = null;
function ensureLocal() {
  if (!localLoaded) {
    localLoaded = readLocal().then((s) => applyLocal(s));
    client.ready = localLoaded; // checks wait for the dismissals to be known
  }
  return localLoaded;
}
try {
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && Object.values(LOCAL_KEYS).some((k) => k in changes)) readLocal().then((s) => applyLocal(s));
  });
} catch {
  // storage unavailable (extension reloaded)
}

/** What the popup shows for this page: the site, whether postcheck is on, the current findings. */
function pageFindings() {
  const out = [];
  const seen = new Set();
  untrackGone();
  for (const s of composers.values()) {
    if (s.text == null) continue;
    const r = client.cached(s.text, s.attachments, { stale: true }); // what the marks show
    if (!r || !r.ok) continue;
    for (const f of r.findings) {
      const key = f.hash || `${f.rule}|${f.start}|${f.end}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        hash: f.hash || null, title: f.title, category: f.category, severity: f.severity, message: f.message,
        words: f.end > f.start ? s.text.slice(f.start, f.end) : '',
        references: (f.clauses || []).map((c) => c.reference),
      });
    }
  }
  return out;
}

try {
  chrome.runtime.onMessage.addListener((msg, _sender, sendResponse) => {
    if (!msg || msg.type !== 'page-findings' || window !== window.top) return false;
    sendResponse({ ok: true, site: adapter.id, host: location.hostname, enabled: enabled(), council: lastCouncil, findings: enabled() ? pageFindings() : [] });
    return false;
  });
} catch {
  // runtime unavailable (extension reloaded)
}

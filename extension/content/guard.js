// Submit guard: holds a post whose draft has warn/block findings until the user has seen them.
//
// Runs from capture-phase listeners on `window` registered at document_start, so it sees a
// click / Ctrl+Enter / form submit before React's root listener or the site's own handlers.
// A held action is cancelled with preventDefault() + stopImmediatePropagation(); the site's
// handler never runs, and the editor is left exactly as it was. "Post anyway" re-issues the
// same action once, for that exact text. A clean draft is never interrupted.

import { holdingFindings } from './checker-client.js';

const FRESH_CHECK_TIMEOUT_MS = 5000;
/** How many times a held submission's text is re-checked when it keeps changing under the check. */
const MAX_FRESH_ROUNDS = 5;

/**
 * IME composition state of the composers (the guard never holds mid-composition: Enter then
 * belongs to the input method). Fed by main.js from events; keyed by composer element.
 *
 * A composition ends on `compositionend` wherever it is dispatched (focus can move, or the editor
 * re-render the node, mid-composition, so the event need not reach the composer that started it;
 * only one composition runs in a document at a time), on the composer's blur, and on its next
 * `input` that is not part of a composition (InputEvent.isComposing false — UI Events spec).
 * Without this, one missed compositionend left a composer "composing" for good and Post was never
 * checked again.
 */
export class Compositions {
  constructor() {
    /** @type {Set<Element>} */
    this.active = new Set();
  }

  /** compositionstart in composer `el`. @param {Element} el */
  start(el) {
    this.active.add(el);
  }

  /** @param {Element} el @returns {boolean} is `el` inside an IME composition */
  has(el) {
    return this.active.has(el);
  }

  /**
   * compositionend anywhere: every composition is over.
   * @returns {Element[]} the composers that were composing (to be re-checked)
   */
  end() {
    const ended = [...this.active];
    this.active.clear();
    return ended;
  }

  /** Composer `el` lost focus. @param {Element} el @returns {boolean} true if it was composing */
  blur(el) {
    return this.active.delete(el);
  }

  /**
   * An input event in composer `el`.
   * @param {Element} el @param {boolean} isComposing the event's InputEvent.isComposing
   * @returns {boolean} true if this ended a composition
   */
  input(el, isComposing) {
    return !isComposing && this.active.delete(el);
  }
}

/**
 * @typedef {object} Action  a submission the user attempted
 * @property {'click'|'key'|'submit'} kind
 * @property {Element[]} composers    the composer(s) whose text would be posted
 * @property {Element|null} control   the submit control (click; also used to re-issue a key)
 * @property {HTMLFormElement|null} form
 * @property {KeyboardEventInit|null} keyInit  for kind 'key': the original keydown's properties
 * @property {boolean} [keyOnly]  for kind 'key': re-issue the key itself (Enter-to-send boxes)
 */

export class Guard {
  /**
   * @param {object} deps
   * @param {import('./checker-client.js').CheckerClient} deps.client
   * @param {import('./ui.js').UI} deps.ui
   * @param {(el: Element) => {text: string, attachments: boolean, composing: boolean}} deps.snapshot
   *   reads a composer's current text (UTF-16 string as typed) and attachment state
   * @param {(el: Element) => void} deps.afterSubmit  called for each composer after a submission went through
   * @param {(el: Element) => Element|null} deps.submitFor  the submit control for a composer
   * @param {(council: {id:string}|null) => string|null} deps.caveatFor  profile note for a council
   * @param {(el: Element) => void} deps.restoreFocus  focus a composer with the caret where it was
   * @param {() => boolean} [deps.enabled]  false: postcheck is switched off here (never hold)
   */
  constructor(deps) {
    Object.assign(this, deps);
    /** @type {WeakMap<Element, string>} one-shot acknowledgements: composer → exact text */
    this.acks = new WeakMap();
    this.passing = false;   // true for the rest of the task in which a submission was let through
    this.pending = null;    // an action held while a fresh check runs
  }

  /**
   * Decide on an attempted submission. Call from a capture-phase listener.
   * @param {Event} event the click / keydown / submit event
   * @param {Action} action
   * @returns {boolean} true if the event was held (cancelled)
   */
  decide(event, action) {
    if (this.ui.warningOpen || this.pending) {
      // A second attempt while the warning is up or a check is running: swallow it.
      this._cancel(event);
      return true;
    }
    if (this.passing) return false; // the same submission continuing (e.g. click → form submit)
    if (this.enabled && !this.enabled()) return false; // switched off for this site, or paused

    const drafts = action.composers.map((el) => ({ el, ...this.snapshot(el) }));
    if (drafts.some((d) => d.composing)) return false; // IME composition: never hold mid-composition
    if (drafts.every((d) => !d.text.trim())) return false;

    // "Post anyway" was chosen for exactly these texts: let this one submission through.
    if (drafts.every((d) => !d.text.trim() || this.acks.get(d.el) === d.text)) {
      for (const d of drafts) this.acks.delete(d.el);
      this._letThrough(action);
      return false;
    }

    const results = drafts.map((d) => this.client.cached(d.text, d.attachments));
    if (results.every(Boolean)) {
      const held = this._findings(drafts, results);
      if (!held.length) {
        this._letThrough(action);
        return false; // clean (or info only): no interruption at all
      }
      this._cancel(event);
      this._warn(action, drafts, results, held);
      return true;
    }

    // The last check is for older text: hold, check this text, then warn or re-issue.
    this._cancel(event);
    const pending = (this.pending = { action });
    const timeout = new Promise((r) => setTimeout(() => r(null), FRESH_CHECK_TIMEOUT_MS));
    Promise.race([this._freshCheck(drafts), timeout]).then((out) => {
      if (this.pending !== pending) return;
      this.pending = null;
      // Could not check (background unavailable): fail open — the user can always post. The
      // re-issued action must not come back through the check (a failed check is never cached,
      // so it would be held again, forever): it goes through as the same submission.
      if (!out) { this._passOnce(action); return; }
      const held = this._findings(out.drafts, out.results);
      if (held.length) this._warn(action, out.drafts, out.results, held);
      else this._passOnce(action); // clean: post as the user asked, without a second check
    });
    return true;
  }

  /**
   * Check the drafts of a held submission until the text checked is the text in the composers:
   * if it changed while a check was in flight (the user kept typing, the site completed a
   * mention), the new text is checked — the click is answered for the text that would be posted,
   * never dropped. Bounded by MAX_FRESH_ROUNDS (then the last text checked decides).
   * @param {Array<{el: Element, text: string, attachments: boolean}>} drafts
   * @returns {Promise<{drafts: Array<{el: Element, text: string, attachments: boolean}>, results: import('./checker-client.js').CheckResult[]} | null>}
   *   null when a check failed (the caller fails open)
   */
  async _freshCheck(drafts) {
    for (let round = 1; ; round++) {
      const results = await Promise.all(drafts.map((d) => this.client.check(d.text, d.attachments)));
      if (results.some((r) => !r || !r.ok)) return null;
      const now = drafts.map((d) => ({ el: d.el, ...this.snapshot(d.el) }));
      const changed = now.some((n, i) => n.text !== drafts[i].text || n.attachments !== drafts[i].attachments);
      if (!changed || round >= MAX_FRESH_ROUNDS) return { drafts, results };
      drafts = now;
    }
  }

  /** Warn/block findings of all drafts, each carrying its own draft text (for excerpts). */
  _findings(drafts, results) {
    const out = [];
    drafts.forEach((d, i) => {
      for (const f of holdingFindings(results[i])) out.push({ ...f, text: d.text });
    });
    return out;
  }

  _cancel(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  _warn(action, drafts, results, findings) {
    const council = results.find((r) => r && r.council)?.council ?? null;
    // Back to the field the findings are in (a form may hold several: e.g. a content warning
    // above the post text), else the first one still in the page.
    const flagged = drafts.find((d, i) => d.el.isConnected && holdingFindings(results[i]).length);
    const focusTarget = flagged ? flagged.el : action.composers.find((el) => el.isConnected) || null;
    this.ui.openWarning(
      { findings, council, caveat: this.caveatFor(council) },
      {
        onEdit: () => {
          if (focusTarget && focusTarget.isConnected) this.restoreFocus(focusTarget);
        },
        onPostAnyway: () => {
          // Acknowledge exactly these texts, once; any edit means a new check.
          for (const d of drafts) this.acks.set(d.el, d.text);
          if (focusTarget && focusTarget.isConnected) this.restoreFocus(focusTarget);
          // If the text changed under the dialog (it should not), the ack will not match and the
          // re-issued action is checked again.
          this._reissue(action);
        },
      },
    );
  }

  /** Mark the rest of this task as one submission in progress (click → submit event, etc.). */
  _letThrough(action) {
    this.passing = true;
    setTimeout(() => { this.passing = false; }, 0);
    for (const el of action.composers) this.afterSubmit(el);
  }

  /**
   * Re-issue a held action and let it through unchecked: it is the submission the user already
   * made (a fresh check found nothing to hold, or the check could not run and we fail open).
   * @param {Action} action
   */
  _passOnce(action) {
    this._letThrough(action); // `passing` lasts the rest of this task; the re-issue is synchronous
    this._reissue(action);
  }

  /**
   * Re-issue a held action (after "Post anyway", or via `_passOnce`).
   * The guard sees it again: the acknowledgement (or clean cache) lets it through once.
   * @param {Action} action
   */
  _reissue(action) {
    const composer = action.composers.find((el) => el.isConnected) || null;
    if (action.kind === 'click' && action.control && action.control.isConnected) {
      /** @type {HTMLElement} */ (action.control).click();
      return;
    }
    if (action.kind === 'key' && action.keyOnly) {
      if (composer) composer.dispatchEvent(new KeyboardEvent('keydown', { ...action.keyInit, keyCode: 13, which: 13, bubbles: true, cancelable: true, composed: true }));
      return;
    }
    if (action.kind === 'key') {
      // Clicking the site's own submit control is what its Ctrl+Enter handler does; it is more
      // faithful than a synthetic keydown (which carries no legacy keyCode for the site to read).
      const control = action.control && action.control.isConnected ? action.control : composer && this.submitFor(composer);
      if (control && !isDisabled(control)) {
        /** @type {HTMLElement} */ (control).click();
        return;
      }
      if (composer) {
        composer.dispatchEvent(new KeyboardEvent('keydown', { ...action.keyInit, bubbles: true, cancelable: true, composed: true }));
      }
      return;
    }
    if (action.kind === 'submit' && action.form && action.form.isConnected) {
      const submitter = action.control && action.form.contains(action.control) ? action.control : null;
      try {
        action.form.requestSubmit(/** @type {any} */ (submitter));
      } catch {
        action.form.requestSubmit();
      }
    }
  }
}

/** @param {Element} el */
function isDisabled(el) {
  return /** @type {any} */ (el).disabled === true || el.getAttribute('aria-disabled') === 'true';
}

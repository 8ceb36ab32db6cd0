// postcheck's visible UI: one <postcheck-ui> host element appended to <html>, with a CLOSED
// shadow root (the page cannot read the findings). Inside it: the inline note (role=status),
// the held-post warning (role=alertdialog) and the drawn marks (marks.js: boxes, and the mirror for textareas).
//
// We never put anything inside the host page's editor; we draw beside and above it.

import {
  t, language, languageTag, loadLanguage, onLanguageChange, categoryTitle, categoryExplanation,
} from '../shared/i18n.js';
import { UI_CSS } from './ui-styles.js';

/** @typedef {import('../shared/protocol.js').Finding} Finding */

const QUOTE_LIMIT = 160;   // characters of a clause quote shown before "Show the whole clause"
const NOTE_QUOTE_LIMIT = 90; // the same, in the compact note
const NOTE_MAX_ITEMS = 3;  // categories shown in the compact note
const NOTE_WIDTH = 340;    // px
const GAP = 8;             // px between the composer and the note
const SEVERITY_RANK = { block: 0, warn: 1, info: 2 };
const SVG_NS = 'http://www.w3.org/2000/svg';
// Language of the policy texts (clause quotes, document titles, profile notes) when the caller does
// not say: every built-in profile is English. They are never translated, only marked with `lang`.
const POLICY_LANG = 'en';

/** Create an element with attributes and children (text children are text nodes, never HTML). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

/** Severity icon (shape differs per severity, so it is not colour alone) + text label. */
function severityBadge(severity) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const shape = document.createElementNS(SVG_NS, 'path');
  const mark = document.createElementNS(SVG_NS, 'path');
  if (severity === 'block') {
    shape.setAttribute('d', 'M5 1h6l4 4v6l-4 4H5l-4-4V5z');           // octagon
    mark.setAttribute('d', 'M5.5 5.5l5 5M10.5 5.5l-5 5');               // ×
  } else if (severity === 'warn') {
    shape.setAttribute('d', 'M8 1l7 13H1z');                             // triangle
    mark.setAttribute('d', 'M8 6v4M8 11.5v1');                           // !
  } else {
    shape.setAttribute('d', 'M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1z');      // circle
    mark.setAttribute('d', 'M8 7v5M8 4.5v1');                            // i
  }
  shape.setAttribute('fill', 'currentColor');
  mark.setAttribute('stroke', severity === 'warn' ? '#fff' : '#fff');
  mark.setAttribute('stroke-width', '1.8');
  mark.setAttribute('stroke-linecap', 'round');
  svg.append(shape, mark);
  const label = severity === 'block' ? t('severityBlock') : severity === 'warn' ? t('severityWarn') : t('severityInfo');
  return h('span', { class: `sev sev-${severity}` }, svg, label);
}

/** Unique clause references of some findings, in order. */
function referencesOf(findings) {
  const refs = [];
  for (const f of findings) for (const c of f.clauses || []) if (c.reference && !refs.includes(c.reference)) refs.push(c.reference);
  return refs;
}

/** Unique clauses (by reference) of some findings, in order. */
function clausesOf(findings) {
  const seen = new Set();
  const out = [];
  for (const f of findings) for (const c of f.clauses || []) {
    if (!c.reference || seen.has(c.reference)) continue;
    seen.add(c.reference);
    out.push(c);
  }
  return out;
}

/**
 * A message whose placeholders are DOM nodes (or strings): the sentence comes whole from
 * messages.json, so a translation may reorder it; node placeholders keep their own `lang`.
 * @param {string} key
 * @param {...(string|Node)} parts
 * @returns {Array<string|Node>}
 */
function fill(key, ...parts) {
  const marks = parts.map((_, i) => `\u0001${i}\u0002`);
  const text = t(key, ...marks);
  const out = [];
  for (const piece of text.split(/(\u0001\d+\u0002)/)) {
    const m = /^\u0001(\d+)\u0002$/.exec(piece);
    if (m) out.push(parts[Number(m[1])]);
    else if (piece) out.push(piece);
  }
  return out;
}

/** Text in the policy's own language (a document title, a clause reference, a profile note). */
function policyText(text, lang = POLICY_LANG) {
  return h('span', { lang }, text);
}

/** "Confidential information — Barnsley MBC Social Networking Policy 4.4" (title in the UI language). */
function headingNodes(title, refs, lang) {
  if (!refs.length) return [title];
  return fill('findingHeading', title, policyText(refs.join(t('referenceSeparator')), lang));
}

/** A clause quote, shortened with an expander button when long. */
function quoteBlock(clause, limit = QUOTE_LIMIT, caption = false, lang = POLICY_LANG) {
  const full = String(clause.quote || '').replace(/\s+/g, ' ').trim();
  if (!full) return null;
  // The quote is read out as written (no aria-label replacing it), in the policy's language.
  const textEl = h('span', { class: 'quote-text', lang: clause.language || lang });
  const bq = h('blockquote', { class: 'quote' },
    caption && clause.reference ? h('span', { class: 'caption' }, fill('quoteCaption', policyText(clause.reference, lang)), ' ') : null, textEl);
  if (full.length <= limit) {
    textEl.textContent = full;
    return bq;
  }
  let cut = full.lastIndexOf(' ', limit);
  if (cut < limit / 2) cut = limit;
  const short = full.slice(0, cut) + '…';
  let expanded = false;
  const btn = h('button', { type: 'button', class: 'linkbtn', 'aria-expanded': 'false' }, t('quoteShowMore'));
  const render = () => {
    textEl.textContent = expanded ? full : short;
    btn.textContent = expanded ? t('quoteShowLess') : t('quoteShowMore');
    btn.setAttribute('aria-expanded', String(expanded));
  };
  btn.addEventListener('click', (e) => { e.preventDefault(); expanded = !expanded; render(); });
  render();
  bq.append(' ', btn);
  return bq;
}

/**
 * What to say about a category: in English the core's own messages (they name the words); in
 * another language the category's explanation from messages.json (the core speaks English only,
 * and its messages are not machine-translated). Unknown category: the core's message, marked English.
 */
function groupMessages(g, max = Infinity) {
  const core = [...new Set(g.findings.map((f) => f.message).filter(Boolean))].slice(0, max);
  if (language() === 'en' && core.length) return core.map((m) => h('p', { class: 'message' }, m));
  const explained = categoryExplanation(g.category);
  if (explained) return [h('p', { class: 'message' }, explained)];
  return core.map((m) => h('p', { class: 'message', lang: 'en' }, m));
}

/** The words of the post behind some findings, each once, in order: “between us”, “don't tell anyone”. */
function wordsOf(findings, fallbackText) {
  const words = [];
  let whole = false;
  for (const f of findings) {
    const source = typeof f.text === 'string' ? f.text : fallbackText || '';
    const w = f.end > f.start ? source.slice(f.start, f.end).replace(/\s+/g, ' ').trim() : '';
    if (!w) { whole = true; continue; }
    const shown = w.length > 80 ? w.slice(0, 80) + '…' : w;
    if (!words.some((x) => x.toLowerCase() === shown.toLowerCase())) words.push(shown);
  }
  return { words, whole };
}

/** Group findings by category; each group's severity is its most severe finding's. */
function groupByCategory(findings) {
  const groups = new Map();
  for (const f of findings) {
    const g = groups.get(f.category) || { category: f.category, title: f.title, severity: f.severity, findings: [] };
    g.findings.push(f);
    if (SEVERITY_RANK[f.severity] < SEVERITY_RANK[g.severity]) g.severity = f.severity;
    groups.set(f.category, g);
  }
  return [...groups.values()].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}

export class UI {
  constructor() {
    /** @type {HTMLElement|null} */ this.host = null;
    /** @type {ShadowRoot|null} */ this.root = null;
    this.noteSignature = '';
    this.noteAnchor = null;
    this.noteAvoid = null;
    this.dialog = null;       // {backdrop, edit, post, onEdit, onPost, returnTo}
    this._raf = 0;
    this.lastNote = null;     // the last renderNote() arguments, to redraw in a new language
    // The language chosen in the options page (settings.language); a change redraws the note.
    loadLanguage();
    onLanguageChange(() => {
      if (!this.lastNote || !this.noteSignature) return;
      this.noteSignature = '';
      this.renderNote(...this.lastNote);
    });
  }

  /** Create the host element and shadow root on first use (never at page load). */
  ensure() {
    if (this.host) {
      if (!this.host.isConnected) document.documentElement.append(this.host);
      return this.root;
    }
    const host = document.createElement('postcheck-ui');
    // Inline styles set through CSSOM are not subject to the page's CSP.
    const s = host.style;
    s.setProperty('position', 'fixed', 'important');
    s.setProperty('top', '0', 'important');
    s.setProperty('left', '0', 'important');
    s.setProperty('width', '0', 'important');
    s.setProperty('height', '0', 'important');
    s.setProperty('overflow', 'visible', 'important');
    s.setProperty('z-index', '2147483647', 'important');
    s.setProperty('display', 'block', 'important');
    s.setProperty('contain', 'none', 'important');
    const root = host.attachShadow({ mode: 'closed' });
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(UI_CSS);
      root.adoptedStyleSheets = [sheet];
    } catch {
      root.append(h('style', {}, UI_CSS));
    }
    this.mirrors = h('div', { class: 'layer' });
    this.noteText = h('div', { class: 'note' });
    // A polite live region: changes are announced when the user pauses; it never takes focus.
    this.noteStatus = h('div', { role: 'status', 'aria-live': 'polite', 'aria-label': t('noteLabel') }, this.noteText);
    this.noteWrap = h('div', { class: 'note-wrap' }, this.noteStatus);
    this.dialogLayer = h('div', { class: 'layer' });
    root.append(this.mirrors, this.noteWrap, this.dialogLayer);
    document.documentElement.append(host);
    this.host = host;
    this.root = root;
    return root;
  }

  /** Whether an event (seen from outside) came from inside our UI. */
  owns(target) {
    return !!this.host && target === this.host;
  }

  // ------------------------------------------------------------------ inline note

  /**
   * Show (or hide, when there is nothing to say) the compact note beside a composer.
   * @param {Element} anchor the composer
   * @param {{ok:boolean, council:{id,name}|null, findings:Finding[], text:string}|null} result
   * @param {{avoid?: Element|null, caveat?: string|null}} [opts] avoid: an element the note must not
   *   cover (the submit control); caveat: the council profile's note
   */
  renderNote(anchor, result, { avoid = null, caveat = null, policyLanguage = POLICY_LANG } = {}) {
    this.lastNote = [anchor, result, { avoid, caveat, policyLanguage }];
    let items = [];
    let missingCouncil = false;
    if (result && result.ok) {
      if (!result.council && result.text.trim()) missingCouncil = true;
      else items = groupByCategory(result.findings);
    }
    const signature = language() + '|' + (missingCouncil ? 'no-council' : JSON.stringify(items.map((g) => [g.category, g.severity,
      referencesOf(g.findings), g.findings.map((f) => f.message)])) + '|' + (caveat || ''));
    if (!items.length && !missingCouncil) {
      this.hideNote();
      return;
    }
    this.ensure();
    this.noteAnchor = anchor;
    this.noteAvoid = avoid;
    if (signature !== this.noteSignature) {
      this.noteSignature = signature;
      this.noteWrap.lang = languageTag();
      this.noteStatus.setAttribute('aria-label', t('noteLabel'));
      const body = [];
      if (missingCouncil) {
        body.push(h('p', { class: 'message' }, t('noteCouncilMissing')));
      } else {
        const list = h('ul');
        for (const g of items.slice(0, NOTE_MAX_ITEMS)) {
          const refs = referencesOf(g.findings);
          const clause = clausesOf(g.findings)[0];
          list.append(h('li', {},
            h('div', {}, severityBadge(g.severity),
              h('span', { class: 'heading' }, headingNodes(categoryTitle(g.category, g.title), refs, policyLanguage))),
            groupMessages(g, 2),
            clause ? quoteBlock(clause, NOTE_QUOTE_LIMIT, false, policyLanguage) : null));
        }
        body.push(list);
        if (items.length > NOTE_MAX_ITEMS) body.push(h('p', { class: 'more' }, t('noteMore', items.length - NOTE_MAX_ITEMS)));
        if (caveat) body.push(h('p', { class: 'caveat' }, fill('warningNote', policyText(caveat, policyLanguage))));
      }
      this.noteText.replaceChildren(...body);
    }
    this.positionNote();
  }

  hideNote() {
    this.noteSignature = '';
    this.noteAnchor = null;
    if (this.noteText) this.noteText.replaceChildren();
  }

  /** Re-anchor the note (after scroll/resize/layout changes). Cheap when hidden. */
  positionNote() {
    const anchor = this.noteAnchor;
    if (!anchor || !this.noteWrap || !this.noteText.firstChild) return;
    if (!anchor.isConnected) { this.hideNote(); return; }
    const r = anchor.getBoundingClientRect();
    const vw = document.documentElement.clientWidth || innerWidth;
    const vh = document.documentElement.clientHeight || innerHeight;
    const wrap = this.noteWrap;
    // The area the note must not cover: the composer, the other fields of its form (e.g. Mastodon's
    // content warning above the post text) and the submit control.
    const area = composerArea(anchor, r, this.noteAvoid, vh);
    const spaceRight = vw - area.right - GAP * 2;
    const spaceLeft = area.left - GAP * 2;
    let width;
    let left;
    let top;
    if (spaceRight >= 240 || spaceLeft >= 240) {
      // Beside the form (to its right if there is room, else to its left), level with the field.
      const right = spaceRight >= 240;
      width = Math.min(NOTE_WIDTH, right ? spaceRight : spaceLeft);
      wrap.style.width = `${width}px`;
      left = right ? area.right + GAP : area.left - GAP - width;
      const hgt = this.noteText.offsetHeight || 80;
      top = Math.max(GAP, Math.min(r.top, vh - hgt - GAP));
    } else {
      // Below the form and its submit control, else above it; if neither fits, below (the page
      // scrolls) — never over the fields.
      width = Math.min(Math.max(area.right - area.left, 260), vw - GAP * 2, 480);
      wrap.style.width = `${width}px`;
      const hgt = this.noteText.offsetHeight || 80;
      left = Math.min(Math.max(GAP, area.left), vw - width - GAP);
      if (area.bottom + GAP + hgt <= vh || area.top - GAP - hgt < 0) top = area.bottom + GAP;
      else top = area.top - GAP - hgt;
    }
    wrap.style.left = `${Math.round(left)}px`;
    wrap.style.top = `${Math.round(top)}px`;
  }

  /** Schedule positionNote() for the next frame (scroll/resize handlers). */
  schedulePosition(extra) {
    if (this._raf) return;
    this._raf = requestAnimationFrame(() => {
      this._raf = 0;
      this.positionNote();
      if (extra) extra();
    });
  }

  // ------------------------------------------------------------------ held-post warning

  /** @returns {boolean} */
  get warningOpen() {
    return !!this.dialog;
  }

  /**
   * Hold the post: show the warning listing every warn/block finding with its clause(s).
   * Focus moves to "Edit post"; Tab is trapped; Escape = Edit post.
   * @param {{findings: Array<Finding & {text?: string}>, text?: string, council: {id,name}|null, caveat?: string|null}} info
   *   findings: warn/block findings; their spans are UTF-16 code units into `finding.text` (the
   *   draft of the composer it came from) or else `info.text`
   * @param {{onEdit: () => void, onPostAnyway: () => void}} actions
   */
  openWarning(info, actions) {
    this.closeWarning(false);
    this.ensure();
    const uid = Math.random().toString(36).slice(2);
    const titleId = `pc-title-${uid}`;
    const listId = `pc-list-${uid}`;
    const list = h('ul', { id: listId });
    const policyLang = info.policyLanguage || POLICY_LANG;
    // One entry per category (most severe first): its title and clause reference(s), every word
    // of the post that triggered it (each once), what the policy is concerned about, then each
    // clause quote once.
    for (const g of groupByCategory(info.findings)) {
      const items = [...g.findings].sort((a, b) => a.start - b.start);
      const { words, whole } = wordsOf(items, info.text);
      const quoted = words.map((w) => t('quotedWords', w)).join(t('wordSeparator'));
      list.append(h('li', {},
        h('div', {}, severityBadge(g.severity),
          h('span', { class: 'heading' }, headingNodes(categoryTitle(g.category, g.title), referencesOf(items), policyLang))),
        words.length ? h('p', { class: 'excerpt' }, t('warningInYourPost', quoted)) : null,
        whole ? h('p', { class: 'excerpt' }, t('warningWholePost')) : null,
        groupMessages(g),
        clausesOf(items).map((c) => quoteBlock(c, QUOTE_LIMIT, true, policyLang))));
    }
    const intro = info.council && info.council.name
      ? fill('warningIntroCouncil', policyText(info.council.name, policyLang)) : t('warningIntro');
    const edit = h('button', { type: 'button', class: 'btn btn-primary' }, t('warningEdit'));
    const post = h('button', { type: 'button', class: 'btn btn-secondary' }, t('warningPostAnyway'));
    const dialogEl = h('div', {
      class: 'dialog', role: 'alertdialog', 'aria-modal': 'true', lang: languageTag(),
      'aria-labelledby': titleId, 'aria-describedby': listId,
    },
    h('h2', { id: titleId }, t('warningTitle')),
    h('div', { class: 'body' },
      h('p', { class: 'intro' }, intro),
      list,
      info.caveat ? h('p', { class: 'caveat' }, fill('warningNote', policyText(info.caveat, policyLang))) : null),
    h('div', { class: 'actions' }, edit, post));
    const backdrop = h('div', { class: 'backdrop' }, dialogEl);
    const d = { backdrop, dialogEl, edit, post, ...actions };
    edit.addEventListener('click', (e) => { e.preventDefault(); this._finish('edit'); });
    post.addEventListener('click', (e) => { e.preventDefault(); this._finish('post'); });
    this.dialog = d;
    this.noteWrap.hidden = true; // the warning says it all; one voice at a time
    this.dialogLayer.append(backdrop);
    edit.focus({ preventScroll: true });
  }

  /** Keyboard inside the warning (called by the window-level capture listener). */
  handleDialogKey(e) {
    const d = this.dialog;
    if (!d) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      this._finish('edit');
      return;
    }
    if (e.key === 'Tab') {
      const focusables = [...d.dialogEl.querySelectorAll('button')].filter((b) => !b.disabled && b.offsetParent !== null);
      if (!focusables.length) return;
      const i = focusables.indexOf(this.root.activeElement);
      e.preventDefault();
      const next = e.shiftKey ? (i <= 0 ? focusables.length - 1 : i - 1) : (i === -1 || i === focusables.length - 1 ? 0 : i + 1);
      focusables[next].focus();
    }
  }

  /** Keep focus inside the open warning (focus moved to the page behind it). */
  refocusDialog() {
    if (this.dialog && !this.dialog.backdrop.contains(this.root.activeElement)) this.dialog.edit.focus({ preventScroll: true });
  }

  _finish(which) {
    const d = this.dialog;
    if (!d) return;
    this.closeWarning(false);
    if (which === 'edit') d.onEdit();
    else d.onPostAnyway();
  }

  /** Close the warning without acting (e.g. the composer disappeared). */
  closeWarning(notify = true) {
    const d = this.dialog;
    if (!d) return;
    this.dialog = null;
    d.backdrop.remove();
    this.noteWrap.hidden = false;
    this.positionNote();
    if (notify && d.onEdit) d.onEdit();
  }
}

/**
 * The box the note must keep clear of: the composer, the form it belongs to (all its fields and its
 * submit control) when that form is of a sensible size, and the submit control to avoid if it lies
 * next to the composer.
 * @param {Element} anchor the composer
 * @param {DOMRect} r its box
 * @param {Element|null} avoid the submit control
 * @returns {{left:number, top:number, right:number, bottom:number}}
 */
function composerArea(anchor, r, avoid, vh) {
  const area = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
  const add = (b) => {
    if (!b || !b.width || !b.height) return;
    area.left = Math.min(area.left, b.left);
    area.top = Math.min(area.top, b.top);
    area.right = Math.max(area.right, b.right);
    area.bottom = Math.max(area.bottom, b.bottom);
  };
  const form = anchor.closest('form');
  if (form) {
    const f = form.getBoundingClientRect();
    // A page-wide form (some sites wrap the whole page in one) says nothing about the composer.
    if (f.height <= vh * 0.8) add(f);
  }
  const a = avoid && avoid.isConnected ? avoid.getBoundingClientRect() : null;
  if (a && a.top < r.bottom + 200 && a.bottom > r.top - 200 && a.left < r.right + 200 && a.right > r.left - 200) add(a);
  return area;
}

// Marks the words a finding is about, without touching the editor's DOM.
//
// contenteditable: CSS Custom Highlight API — one Highlight per severity, registered as
//   `postcheck-block`, `postcheck-warn`, `postcheck-info` (styled by ::highlight() rules in
//   extension/styles/content.css), over live Ranges on the composer's own text nodes.
// textarea: a mirror overlay in our shadow root, positioned over the textarea with the same
//   font and box metrics, transparent text and coloured spans behind the findings.

import { rangeFor } from './text-model.js';

const NAMES = { block: 'postcheck-block', warn: 'postcheck-warn', info: 'postcheck-info' };

// ::highlight() rules in the page's stylesheet (content.css) do not reach into shadow trees, so a
// composer inside an open shadow root (e.g. reddit's shreddit-composer) gets the same rules as an
// adopted stylesheet — no element is added to the site's DOM. Keep in step with content.css.
const SHADOW_RULES = `
::highlight(postcheck-block) { background-color: rgba(196, 30, 58, 0.16); text-decoration: underline double #b0102b 3px; text-decoration-skip-ink: none; }
::highlight(postcheck-warn) { background-color: rgba(224, 140, 0, 0.18); text-decoration: underline wavy #a05a00 2px; text-decoration-skip-ink: none; }
::highlight(postcheck-info) { background-color: rgba(30, 100, 200, 0.10); text-decoration: underline dotted #1d5fb8 2px; text-decoration-skip-ink: none; }
@media (forced-colors: active) { ::highlight(postcheck-block), ::highlight(postcheck-warn), ::highlight(postcheck-info) { background-color: Highlight; color: HighlightText; } }`;
/** @type {CSSStyleSheet|null} */
let shadowSheet = null;

/** Give a shadow root our highlight styles once. @param {Node} node */
function styleShadow(node) {
  const r = node.getRootNode();
  if (!(r instanceof ShadowRoot)) return;
  try {
    if (!shadowSheet) { shadowSheet = new CSSStyleSheet(); shadowSheet.replaceSync(SHADOW_RULES); }
    if (!r.adoptedStyleSheets.includes(shadowSheet)) r.adoptedStyleSheets = [...r.adoptedStyleSheets, shadowSheet];
  } catch {
    // constructable stylesheets unavailable: marks are still registered, just unstyled there
  }
}

/** Computed properties copied from a textarea to its mirror so text wraps identically. */
const MIRROR_PROPS = [
  'box-sizing', 'border-top-width', 'border-right-width', 'border-bottom-width', 'border-left-width',
  'border-top-style', 'border-right-style', 'border-bottom-style', 'border-left-style',
  'padding-top', 'padding-right', 'padding-bottom', 'padding-left',
  'font-family', 'font-size', 'font-weight', 'font-style', 'font-stretch', 'font-variant',
  'font-feature-settings', 'font-kerning', 'line-height', 'letter-spacing', 'word-spacing',
  'text-indent', 'text-transform', 'text-align', 'tab-size', 'direction', 'writing-mode',
  'white-space', 'overflow-wrap', 'word-break', 'hyphens', 'text-rendering', 'border-radius',
];

export class Marks {
  /** @param {import('./ui.js').UI} ui */
  constructor(ui) {
    this.ui = ui;
    /** @type {Map<Element, {block: Range[], warn: Range[], info: Range[]}>} */
    this.ranges = new Map();
    /** @type {Map<HTMLTextAreaElement, Mirror>} */
    this.mirrors = new Map();
    this.supported = typeof CSS !== 'undefined' && 'highlights' in CSS && typeof Highlight === 'function';
  }

  /**
   * Mark a composer's findings (replaces its previous marks).
   * @param {import('./text-model.js').TextModel} model the model the findings' spans index into
   * @param {import('../shared/protocol.js').Finding[]} findings spans in UTF-16 code units
   */
  set(model, findings) {
    const spanned = findings.filter((f) => f.end > f.start);
    if (model.isField) {
      this._mirror(/** @type {HTMLTextAreaElement} */ (model.root), model.text, spanned);
      return;
    }
    const byName = { block: [], warn: [], info: [] };
    if (spanned.length) styleShadow(model.root);
    for (const f of spanned) {
      const r = rangeFor(model, f.start, f.end);
      if (r && byName[f.severity]) byName[f.severity].push(r);
    }
    this.ranges.set(model.root, byName);
    this._apply();
  }

  /** Remove a composer's marks. @param {Element} composer */
  clear(composer) {
    if (this.ranges.delete(composer)) this._apply();
    const m = this.mirrors.get(composer);
    if (m) { m.destroy(); this.mirrors.delete(composer); }
  }

  /** Drop marks of composers that left the document. */
  prune() {
    for (const el of [...this.ranges.keys(), ...this.mirrors.keys()]) if (!el.isConnected) this.clear(el);
  }

  /** Re-position mirrors (scroll / resize / layout change). */
  reposition() {
    for (const m of this.mirrors.values()) m.sync();
  }

  _apply() {
    if (!this.supported) return;
    for (const [sev, name] of Object.entries(NAMES)) {
      const all = [];
      for (const r of this.ranges.values()) all.push(...r[sev]);
      if (all.length) {
        const hl = new Highlight(...all);
        if (sev === 'block') hl.priority = 3;
        else if (sev === 'warn') hl.priority = 2;
        else hl.priority = 1;
        CSS.highlights.set(name, hl);
      } else {
        CSS.highlights.delete(name);
      }
    }
  }

  _mirror(textarea, text, findings) {
    let m = this.mirrors.get(textarea);
    if (!findings.length) {
      if (m) { m.destroy(); this.mirrors.delete(textarea); }
      return;
    }
    if (!m) {
      this.ui.ensure();
      m = new Mirror(textarea, this.ui.mirrors);
      this.mirrors.set(textarea, m);
    }
    m.render(text, findings);
  }
}

/** A transparent copy of a textarea's text with the findings' spans coloured, drawn over it. */
class Mirror {
  /** @param {HTMLTextAreaElement} textarea @param {HTMLElement} layer */
  constructor(textarea, layer) {
    this.textarea = textarea;
    this.el = document.createElement('div');
    this.el.className = 'mirror';
    this.el.setAttribute('aria-hidden', 'true');
    layer.append(this.el);
    this.onScroll = () => this.syncScroll();
    textarea.addEventListener('scroll', this.onScroll, { passive: true });
    this.resize = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this.sync()) : null;
    if (this.resize) this.resize.observe(textarea);
  }

  render(text, findings) {
    // Non-overlapping segments; where findings overlap, the more severe one colours the text.
    const rank = { block: 3, warn: 2, info: 1 };
    const sev = new Array(text.length).fill(0);
    for (const f of findings) for (let i = f.start; i < f.end && i < text.length; i++) sev[i] = Math.max(sev[i], rank[f.severity] || 0);
    const frag = document.createDocumentFragment();
    let i = 0;
    while (i < text.length) {
      let j = i + 1;
      while (j < text.length && sev[j] === sev[i]) j++;
      const chunk = text.slice(i, j);
      if (sev[i]) {
        const span = document.createElement('span');
        span.className = `mark mark-${sev[i] === 3 ? 'block' : sev[i] === 2 ? 'warn' : 'info'}`;
        span.textContent = chunk;
        frag.append(span);
      } else {
        frag.append(document.createTextNode(chunk));
      }
      i = j;
    }
    // A trailing newline needs a following character to take up its line.
    frag.append(document.createTextNode('\u200b'));
    this.el.replaceChildren(frag);
    this.sync();
  }

  sync() {
    const ta = this.textarea;
    if (!ta.isConnected) return;
    const cs = getComputedStyle(ta);
    const s = this.el.style;
    for (const p of MIRROR_PROPS) s.setProperty(p, cs.getPropertyValue(p));
    s.setProperty('box-sizing', 'border-box');
    s.setProperty('white-space', 'pre-wrap');
    if (cs.getPropertyValue('overflow-wrap') === 'normal') s.setProperty('overflow-wrap', 'break-word');
    const r = ta.getBoundingClientRect();
    const visible = cs.visibility !== 'hidden' && cs.display !== 'none' && r.width > 0 && r.height > 0;
    s.display = visible ? 'block' : 'none';
    s.left = `${r.left}px`;
    s.top = `${r.top}px`;
    s.width = `${r.width}px`;
    s.height = `${r.height}px`;
    // A vertical scrollbar narrows the textarea's text area; narrow ours to match.
    const bl = parseFloat(cs.borderLeftWidth) || 0;
    const br = parseFloat(cs.borderRightWidth) || 0;
    const scrollbar = Math.max(0, ta.offsetWidth - ta.clientWidth - bl - br);
    s.setProperty('padding-right', `${(parseFloat(cs.paddingRight) || 0) + scrollbar}px`);
    this.syncScroll();
  }

  syncScroll() {
    this.el.scrollTop = this.textarea.scrollTop;
    this.el.scrollLeft = this.textarea.scrollLeft;
  }

  destroy() {
    this.textarea.removeEventListener('scroll', this.onScroll);
    if (this.resize) this.resize.disconnect();
    this.el.remove();
  }
}

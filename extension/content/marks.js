// Marks the words a finding is about — without touching the editor's DOM and without telling the page.
//
// Every mark is drawn inside postcheck's CLOSED shadow root (ui.js): per composer, one fixed-position
// clip box (the composer's visible box) holding one absolutely positioned box per line fragment of a
// flagged word — a light tint with an underline styled per severity (ui-styles.js, `.pcmark-*`).
// The page's scripts cannot reach a closed shadow root, the boxes take no pointer events, no focus
// and are aria-hidden, and nothing is added to, or styled in, the site's own DOM.
//
// Why not the CSS Custom Highlight API (used before): its highlight registry is the document's,
// shared by every world, so the site's own scripts could enumerate it and read every flagged range
// and its severity (and learn that postcheck is installed). Nothing may leave the device — not even
// to the page the user is typing into.
//
// Where the words are:
// - contenteditable: `Range.getClientRects()` of one Range per text node a finding covers (text
//   nodes only, so an element wholly inside the span does not add its own box a second time);
// - textarea / input: a hidden mirror (same font and box metrics, `visibility: hidden`) in the
//   same closed shadow root, one span per flagged run; its spans' client rects, shifted by the
//   field's position and scroll offset, are where the field draws those words.
//
// Staying aligned, with no polling: one requestAnimationFrame per change batches every read
// (rects, computed styles) before every write (our own elements' styles). Triggers: set()/clear(),
// reposition() (main.js: scroll/resize), a passive capture-phase scroll listener on the window (any
// scrolling ancestor, the field itself included) and on each shadow root around a composer (scroll
// events do not leave a shadow root), window resize, a ResizeObserver on each composer
// and on the root element (content above the composer grew or shrank), a MutationObserver on each
// composer (the editor re-rendered the same text; its style or class changed), and web fonts
// finishing loading.

import { readModel } from './text-model.js';

const RANK = { info: 1, warn: 2, block: 3 };
const SEV = ['', 'info', 'warn', 'block'];

/** Computed properties copied from a field to its mirror so text wraps identically. */
const MIRROR_PROPS = [
  'border-top-width', 'border-right-width', 'border-bottom-width', 'border-left-width',
  'border-top-style', 'border-right-style', 'border-bottom-style', 'border-left-style',
  'padding-top', 'padding-bottom', 'padding-left',
  'font-family', 'font-size', 'font-weight', 'font-style', 'font-stretch', 'font-variant',
  'font-feature-settings', 'font-kerning', 'line-height', 'letter-spacing', 'word-spacing',
  'text-indent', 'text-transform', 'text-align', 'tab-size', 'direction', 'writing-mode',
  'white-space', 'overflow-wrap', 'word-break', 'hyphens', 'text-rendering',
];

/**
 * @typedef {{left:number, top:number, right:number, bottom:number}} Box  viewport CSS px
 * @typedef {{box: Box, severity: 'block'|'warn'|'info'}} MarkBox
 * @typedef {object} Entry  one composer's marks
 * @property {Element} el          the composer
 * @property {boolean} field       textarea / input (mirror) or contenteditable (ranges)
 * @property {string} text         the model text the findings' spans index into
 * @property {Array<{severity:string, ranges: Range[]}>} live  contenteditable: per span, one live Range
 *   per text node it covers (the browser keeps them on their words while the editor edits around them)
 * @property {Array<{start:number, end:number, severity:string}>} spans  UTF-16 code units into `text`
 * @property {HTMLElement} group   the clip box in our shadow root (aria-hidden)
 * @property {HTMLElement[]} boxes the mark elements inside `group`, reused between frames
 * @property {HTMLElement|null} mirror  the field's hidden mirror
 * @property {string} mirrorText   what the mirror currently holds (text + spans)
 * @property {string} mirrorStyle  the computed style last copied to the mirror
 * @property {MutationObserver|null} observer
 * @property {ShadowRoot[]} roots  shadow roots around the composer, each with our scroll listener
 */

export class Marks {
  /** @param {import('./ui.js').UI} ui owner of the closed shadow root the marks are drawn in */
  constructor(ui) {
    this.ui = ui;
    /** @type {Map<Element, Entry>} */
    this.entries = new Map();
    this._raf = 0;
    this._schedule = () => this.reposition();
    this._resize = typeof ResizeObserver === 'function' ? new ResizeObserver(this._schedule) : null;
    this._listening = false;
  }

  /**
   * Mark a composer's findings (replaces its previous marks). Drawn on the next animation frame.
   * @param {import('./text-model.js').TextModel} model the model the findings' spans index into
   * @param {import('../shared/protocol.js').Finding[]} findings spans in UTF-16 code units into model.text
   */
  set(model, findings) {
    const spans = findings
      .filter((f) => f.end > f.start && RANK[f.severity])
      .map((f) => ({ start: Math.max(0, f.start), end: Math.min(model.text.length, f.end), severity: f.severity }))
      .filter((f) => f.end > f.start);
    const el = model.root;
    if (!spans.length) { this.clear(el); return; }
    let e = this.entries.get(el);
    if (!e) {
      this.ui.ensure();
      const group = document.createElement('div');
      group.className = 'marks';
      group.setAttribute('aria-hidden', 'true');
      group.hidden = true;
      this.ui.mirrors.append(group);
      e = { el, field: !!model.isField, text: '', live: [], spans: [], group, boxes: [], mirror: null, mirrorText: '', mirrorStyle: '', observer: null, roots: [] };
      if (e.field) {
        e.mirror = document.createElement('div');
        e.mirror.className = 'mirror';
        e.mirror.setAttribute('aria-hidden', 'true');
        this.ui.mirrors.append(e.mirror);
      }
      // Observe (never touch) the composer: a re-render of the same text replaces the text nodes;
      // a style or class change (a theme, a resize) moves or recolours the words.
      e.observer = new MutationObserver(this._schedule);
      e.observer.observe(el, e.field
        ? { attributes: true, attributeFilter: ['style', 'class'] }
        : { childList: true, characterData: true, subtree: true, attributes: true, attributeFilter: ['style', 'class'] });
      if (this._resize) this._resize.observe(el);
      // `scroll` is not composed: a scroll inside a shadow root (the composer, or an ancestor in
      // one, e.g. reddit's shreddit-composer) never reaches the window. Listen at each such root.
      e.roots = [];
      for (let r = el.getRootNode(); r instanceof ShadowRoot; r = r.host.getRootNode()) {
        r.addEventListener('scroll', this._schedule, { capture: true, passive: true });
        e.roots.push(r);
      }
      this.entries.set(el, e);
      this._listen(true);
    }
    e.text = model.text;
    e.spans = spans;
    e.live = e.field ? [] : liveRanges(model.segments, spans);
    this.reposition();
  }

  /** Remove a composer's marks. @param {Element} composer */
  clear(composer) {
    const e = this.entries.get(composer);
    if (!e) return;
    this.entries.delete(composer);
    e.group.remove();
    if (e.mirror) e.mirror.remove();
    if (e.observer) e.observer.disconnect();
    for (const r of e.roots) r.removeEventListener('scroll', this._schedule, { capture: true });
    if (this._resize) this._resize.unobserve(composer);
    if (!this.entries.size) this._listen(false);
  }

  /** Drop marks of composers that left the document. */
  prune() {
    for (const el of [...this.entries.keys()]) if (!el.isConnected) this.clear(el);
  }

  /** Re-draw every composer's marks on the next animation frame (scroll / resize / layout change). */
  reposition() {
    if (this._raf || !this.entries.size) return;
    this._raf = requestAnimationFrame(() => { this._raf = 0; this._frame(); });
  }

  _listen(on) {
    if (on === this._listening) return;
    this._listening = on;
    const opts = { capture: true, passive: true };
    if (on) {
      window.addEventListener('scroll', this._schedule, opts);
      window.addEventListener('resize', this._schedule, { passive: true });
      if (this._resize) this._resize.observe(document.documentElement);
      try { document.fonts.addEventListener('loadingdone', this._schedule); } catch {}
    } else {
      window.removeEventListener('scroll', this._schedule, opts);
      window.removeEventListener('resize', this._schedule, { passive: true });
      if (this._resize) this._resize.unobserve(document.documentElement);
      try { document.fonts.removeEventListener('loadingdone', this._schedule); } catch {}
    }
  }

  /** One frame: all reads, then all writes (a field's mirror: write, read its spans, then draw). */
  _frame() {
    this.prune();
    // The page may have removed our host (e.g. re-rendered <html>'s children): put it back.
    if (this.entries.size && this.ui.host && !this.ui.host.isConnected) this.ui.ensure();
    const entries = [...this.entries.values()];
    // Reads: the composers' boxes, clips, styles; contenteditable word rects.
    const plans = entries.map((e) => measure(e));
    // Writes to our own (hidden) mirrors, then reads of their spans: one layout of our own tree.
    for (let i = 0; i < entries.length; i++) if (entries[i].field && plans[i].visible) writeMirror(entries[i], plans[i]);
    for (let i = 0; i < entries.length; i++) if (entries[i].field && plans[i].visible) plans[i].marks = mirrorMarks(entries[i], plans[i]);
    // Writes: the marks.
    for (let i = 0; i < entries.length; i++) draw(entries[i], plans[i]);
  }
}

// ------------------------------------------------------------------ reads

/** The element's padding box (where its content is clipped when it scrolls), viewport px. */
function paddingBox(el, r = el.getBoundingClientRect()) {
  const left = r.left + el.clientLeft;
  const top = r.top + el.clientTop;
  return { left, top, right: left + el.clientWidth, bottom: top + el.clientHeight };
}

const intersect = (a, b) => ({ left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) });

/** Parent in the flat tree (slots and shadow hosts included). */
function flatParent(el) {
  if (el.assignedSlot) return el.assignedSlot;
  if (el.parentElement) return el.parentElement;
  const root = el.parentNode;
  return root instanceof ShadowRoot ? root.host : null;
}

/**
 * Where the composer's content is visible: its own box (its padding box if it clips its content,
 * else its border box with room for the underline), cut by every clipping ancestor and the viewport.
 */
function visibleBox(el, cs, rect) {
  const clips = cs.overflowX !== 'visible' || cs.overflowY !== 'visible' || el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement;
  let box = clips ? paddingBox(el, rect) : { left: rect.left - 2, top: rect.top - 2, right: rect.right + 2, bottom: rect.bottom + 4 };
  const html = document.documentElement;
  for (let a = flatParent(el); a && a !== html && a !== document.body; a = flatParent(a)) {
    const s = getComputedStyle(a);
    if (s.display === 'contents') continue;
    if (s.overflowX !== 'visible' || s.overflowY !== 'visible') box = intersect(box, paddingBox(a));
    if (s.position === 'fixed') break;
  }
  return intersect(box, { left: 0, top: 0, right: html.clientWidth || innerWidth, bottom: html.clientHeight || innerHeight });
}

/** True if a computed colour is light (the composer's text is light: a dark theme). */
function isLight(color) {
  const m = /rgba?\(([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/.exec(color || '');
  if (!m) return false;
  const [r, g, b] = m.slice(1, 4).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 140;
}

/** The composer's geometry and, for contenteditable, the flagged words' rects. */
function measure(e) {
  const cs = getComputedStyle(e.el);
  const rect = e.el.getBoundingClientRect();
  const plan = { visible: false, clip: null, dark: false, cs, rect, marks: /** @type {MarkBox[]} */ ([]) };
  if (cs.display === 'none' || cs.visibility === 'hidden' || rect.width <= 0 || rect.height <= 0) return plan;
  const clip = visibleBox(e.el, cs, rect);
  if (clip.right <= clip.left || clip.bottom <= clip.top) return plan;
  plan.visible = true;
  plan.clip = clip;
  plan.dark = isLight(cs.color);
  if (!e.field) plan.marks = editableMarks(e);
  return plan;
}

/**
 * One live Range per text node each span covers, least severe span first (so the most severe is
 * drawn on top). Text nodes only: an element wholly inside a span does not add its own box again.
 * @param {import('./text-model.js').Segment[]} segments
 * @param {Array<{start:number, end:number, severity:string}>} spans UTF-16 code units
 */
function liveRanges(segments, spans) {
  const out = [];
  for (const f of [...spans].sort((a, b) => RANK[a.severity] - RANK[b.severity])) {
    const ranges = [];
    for (const s of segments) {
      if (s.end <= f.start || s.start >= f.end) continue;
      const a = Math.max(f.start, s.start) - s.start;
      const b = Math.min(f.end, s.end) - s.start;
      if (b <= a) continue;
      try {
        const r = document.createRange();
        r.setStart(s.node, a);
        r.setEnd(s.node, b);
        ranges.push(r);
      } catch {
        // the node changed under us: main.js re-reads and calls set() again
      }
    }
    out.push({ severity: f.severity, ranges });
  }
  return out;
}

/** Client rects of the flagged text (contenteditable). */
function editableMarks(e) {
  // The editor may have re-rendered the same text into new nodes: read the model again.
  // (A live Range whose text node was removed collapses onto the node's parent.)
  const stale = (r) => r.startContainer.nodeType !== Node.TEXT_NODE || r.collapsed || !e.el.contains(r.startContainer);
  if (e.live.some((l) => l.ranges.some(stale))) {
    const model = readModel(e.el);
    if (model.text !== e.text) return []; // changed: main.js re-checks and calls set() again
    e.live = liveRanges(model.segments, e.spans);
  }
  const out = [];
  for (const { severity, ranges } of e.live) {
    const rects = [];
    for (const r of ranges) for (const q of r.getClientRects()) rects.push(q);
    for (const box of mergeLines(rects)) out.push({ box, severity });
  }
  return out;
}

/** Rects of one span merged per line (adjacent text nodes on one line make one continuous box). */
function mergeLines(rects) {
  const out = [];
  for (const r of rects) {
    if (r.width < 0.5 || r.height < 0.5) continue;
    const last = out[out.length - 1];
    if (last && Math.abs(last.top - r.top) < 2 && Math.abs(last.bottom - r.bottom) < 2 && r.left <= last.right + 1 && r.right >= last.left - 1) {
      last.left = Math.min(last.left, r.left);
      last.right = Math.max(last.right, r.right);
      last.top = Math.min(last.top, r.top);
      last.bottom = Math.max(last.bottom, r.bottom);
    } else {
      out.push({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
    }
  }
  return out;
}

// ------------------------------------------------------------------ textarea / input mirror

/** Copy the field's text metrics and flagged runs into its hidden mirror (our shadow tree only). */
function writeMirror(e, plan) {
  const { cs } = plan;
  const ta = /** @type {HTMLTextAreaElement} */ (e.el);
  const single = ta instanceof HTMLInputElement;
  // A vertical scrollbar narrows the text area; the mirror never scrolls, so it takes the same width.
  const bl = parseFloat(cs.borderLeftWidth) || 0;
  const br = parseFloat(cs.borderRightWidth) || 0;
  const scrollbar = Math.max(0, ta.offsetWidth - ta.clientWidth - bl - br);
  const props = MIRROR_PROPS.map((p) => cs.getPropertyValue(p));
  const style = `${props.join('|')}|${plan.rect.width}|${cs.paddingRight}|${scrollbar}|${cs.overflowWrap}`;
  if (style !== e.mirrorStyle) {
    e.mirrorStyle = style;
    const s = e.mirror.style;
    MIRROR_PROPS.forEach((p, i) => s.setProperty(p, props[i]));
    s.setProperty('box-sizing', 'border-box');
    s.setProperty('width', `${plan.rect.width}px`);
    s.setProperty('padding-right', `${(parseFloat(cs.paddingRight) || 0) + scrollbar}px`);
    s.setProperty('white-space', single ? 'pre' : 'pre-wrap');
    if (!single && cs.overflowWrap === 'normal') s.setProperty('overflow-wrap', 'break-word');
  }
  const key = `${e.text}\u0000${e.spans.map((f) => `${f.start},${f.end},${f.severity}`).join(';')}`;
  if (key === e.mirrorText) return;
  e.mirrorText = key;
  // Non-overlapping runs; where findings overlap, the more severe one wins.
  const text = e.text;
  const sev = new Uint8Array(text.length);
  for (const f of e.spans) for (let i = f.start; i < f.end; i++) sev[i] = Math.max(sev[i], RANK[f.severity]);
  const frag = document.createDocumentFragment();
  for (let i = 0; i < text.length;) {
    let j = i + 1;
    while (j < text.length && sev[j] === sev[i]) j++;
    const chunk = text.slice(i, j);
    if (sev[i]) {
      const span = document.createElement('span');
      span.dataset.severity = SEV[sev[i]];
      span.textContent = chunk;
      frag.append(span);
    } else {
      frag.append(document.createTextNode(chunk));
    }
    i = j;
  }
  // A trailing newline needs a following character to take up its line.
  frag.append(document.createTextNode('\u200b'));
  e.mirror.replaceChildren(frag);
}

/** The mirror's flagged runs, moved to where the field draws them. */
function mirrorMarks(e, plan) {
  const m = e.mirror.getBoundingClientRect();
  const ta = e.el;
  const dx = plan.rect.left - m.left - ta.scrollLeft;
  const dy = plan.rect.top - m.top - ta.scrollTop;
  const out = [];
  const spans = [...e.mirror.children].sort((a, b) => RANK[a.dataset.severity] - RANK[b.dataset.severity]);
  for (const span of spans) {
    for (const box of mergeLines(span.getClientRects())) {
      out.push({ box: { left: box.left + dx, top: box.top + dy, right: box.right + dx, bottom: box.bottom + dy }, severity: span.dataset.severity });
    }
  }
  return out;
}

// ------------------------------------------------------------------ writes

/** Place the clip box and its mark boxes (only styles that changed are written). */
function draw(e, plan) {
  const g = e.group;
  if (!plan.visible || !plan.marks.length) {
    if (!g.hidden) g.hidden = true;
    return;
  }
  const c = plan.clip;
  const r = (n) => Math.round(n * 100) / 100;
  setStyle(g, `left:${r(c.left)}px;top:${r(c.top)}px;width:${r(c.right - c.left)}px;height:${r(c.bottom - c.top)}px`);
  g.classList.toggle('dark', plan.dark);
  let n = 0;
  for (const { box, severity } of plan.marks) {
    // Boxes wholly outside the visible box are not drawn; the clip box cuts the rest.
    if (box.right <= c.left || box.left >= c.right || box.bottom <= c.top || box.top >= c.bottom) continue;
    let el = e.boxes[n];
    if (!el) { el = document.createElement('div'); e.boxes.push(el); g.append(el); }
    const cls = `pcmark pcmark-${severity}`;
    if (el.className !== cls) el.className = cls;
    setStyle(el, `left:${r(box.left - c.left)}px;top:${r(box.top - c.top)}px;width:${r(box.right - box.left)}px;height:${r(box.bottom - box.top)}px`);
    if (el.hidden) el.hidden = false;
    n++;
  }
  for (let i = n; i < e.boxes.length; i++) if (!e.boxes[i].hidden) e.boxes[i].hidden = true;
  g.hidden = n === 0;
}

function setStyle(el, css) {
  if (el._pc !== css) { el.style.cssText = css; el._pc = css; }
}

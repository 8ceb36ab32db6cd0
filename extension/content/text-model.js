// Text model: a composer's DOM ⇄ the plain text the user typed, with UTF-16 offsets.
//
// We never modify the editor's DOM; we only read it. Offsets everywhere are UTF-16 code units
// (JavaScript string indices), the same units the core's finding spans use (contract §3).

const BLOCK_TAGS = new Set([
  'DIV', 'P', 'LI', 'UL', 'OL', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'BLOCKQUOTE', 'PRE',
  'SECTION', 'ARTICLE', 'HEADER', 'FOOTER', 'TABLE', 'TR', 'FIGURE', 'DL', 'DT', 'DD',
]);
const SKIP_TAGS = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT']);

/**
 * @typedef {object} Segment
 * @property {Text} node   a text node inside the composer
 * @property {number} start UTF-16 offset in the model text where this node's data begins
 * @property {number} end   start + node.data.length
 */

/**
 * @typedef {object} TextModel
 * @property {string} text          plain text as typed: blocks separated by "\n"
 * @property {Segment[]} segments   text nodes in document order (empty for textareas)
 * @property {Element} root         the composer element
 * @property {boolean} isField      true for <textarea>/<input> (offsets are into .value)
 */

/** @param {Element} el */
export function isField(el) {
  return el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement;
}

/**
 * Read a composer's plain text.
 *
 * Textareas: `.value`. Contenteditable: text nodes in order; each block element (div, p, li,
 * h1–h6, …, which covers Draft.js `[data-block]` divs and Lexical paragraphs) is one line, lines
 * separated by a single "\n"; `<br>` is "\n", except a `<br>` that ends its block (the placeholder
 * in an empty Draft.js/Lexical block, or Lexical's terminating line break), which renders no line
 * of its own. `[contenteditable=false]` decorations are skipped. Zero-width characters are kept.
 *
 * @param {Element} root the composer (textarea or contenteditable root)
 * @returns {TextModel}
 */
export function readModel(root) {
  if (isField(root)) return { text: root.value, segments: [], root, isField: true };

  let out = '';
  let sep = false;          // a "\n" is owed before the next line content
  let emitted = 0;          // count of line content items emitted (for empty-block detection)
  /** @type {Segment[]} */
  const segments = [];

  const beginLine = () => {
    if (sep) { out += '\n'; sep = false; }
  };

  /** Does anything after `node` (within `block`) render as text or a line break? */
  const hasFollowingContent = (node, block) => {
    for (let n = node; n && n !== block; n = n.parentNode) {
      for (let s = n.nextSibling; s; s = s.nextSibling) {
        if (rendersContent(s)) return true;
        if (s.nodeType === 1 && BLOCK_TAGS.has(s.tagName)) return false;
      }
      if (n.parentNode && n.parentNode.nodeType === 1 && BLOCK_TAGS.has(n.parentNode.tagName)) return false;
    }
    return false;
  };

  const walk = (node, block) => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 3) {
        const data = c.data;
        if (!data) continue;
        beginLine();
        segments.push({ node: c, start: out.length, end: out.length + data.length });
        out += data;
        emitted++;
      } else if (c.nodeType === 1) {
        const tag = c.tagName;
        if (SKIP_TAGS.has(tag)) continue;
        if (c.getAttribute('contenteditable') === 'false') continue;
        if (tag === 'BR') {
          if (!hasFollowingContent(c, block)) continue; // trailing/placeholder <br>
          beginLine();
          out += '\n';
          emitted++;
          continue;
        }
        if (BLOCK_TAGS.has(tag)) {
          if (emitted > 0) sep = true;        // a block starts a new line
          const before = emitted;
          walk(c, c);
          if (emitted === before) {           // an empty block is still an (empty) line
            beginLine();
            emitted++;
          }
          sep = true;
        } else {
          walk(c, block);
        }
      }
    }
  };
  walk(root, root);
  return { text: out, segments, root, isField: false };
}

/** Does this node (or its subtree) render text or a line break? */
function rendersContent(n) {
  if (n.nodeType === 3) return n.data.length > 0;
  if (n.nodeType !== 1) return false;
  if (SKIP_TAGS.has(n.tagName) || n.getAttribute('contenteditable') === 'false') return false;
  if (n.tagName === 'BR') return true;
  for (let c = n.firstChild; c; c = c.nextSibling) if (rendersContent(c)) return true;
  return false;
}

/**
 * A DOM position for a UTF-16 offset in a contenteditable model.
 * @param {TextModel} model
 * @param {number} offset UTF-16 code units into model.text
 * @param {'start'|'end'} edge a range start prefers the following node, an end the preceding one
 * @returns {{node: Text, offset: number} | null}
 */
export function positionAt(model, offset, edge) {
  const segs = model.segments;
  if (!segs.length) return null;
  // binary search: first segment with end >= offset (for 'end') / end > offset (for 'start')
  let lo = 0, hi = segs.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segs[mid];
    const past = edge === 'start' ? s.end > offset : s.end >= offset;
    if (past) { found = mid; hi = mid - 1; } else lo = mid + 1;
  }
  if (found === -1) {
    const last = segs[segs.length - 1];
    return { node: last.node, offset: last.node.data.length };
  }
  const s = segs[found];
  if (offset < s.start) {
    // offset falls on a synthetic "\n" between nodes
    if (edge === 'end' && found > 0) {
      const p = segs[found - 1];
      return { node: p.node, offset: p.node.data.length };
    }
    return { node: s.node, offset: 0 };
  }
  return { node: s.node, offset: Math.min(offset - s.start, s.node.data.length) };
}

/**
 * A live DOM Range over [start, end) of a contenteditable model, or null (textareas, empty
 * models, spans that cover no text).
 * @param {TextModel} model
 * @param {number} start UTF-16 code units, inclusive
 * @param {number} end   UTF-16 code units, exclusive
 * @returns {Range | null}
 */
export function rangeFor(model, start, end) {
  if (model.isField || end <= start) return null;
  const a = positionAt(model, start, 'start');
  const b = positionAt(model, end, 'end');
  if (!a || !b) return null;
  const r = document.createRange();
  try {
    r.setStart(a.node, a.offset);
    r.setEnd(b.node, b.offset);
  } catch {
    return null;
  }
  return r.collapsed ? null : r;
}

// Styles for everything inside postcheck's closed shadow root (note, warning, the marks on flagged
// words and the fields' hidden mirrors). Applied as a constructable stylesheet, so the page's CSP and
// styles cannot interfere. Nothing postcheck draws is styled from the page's own stylesheets.

export const UI_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }

.layer { position: absolute; top: 0; left: 0; width: 0; height: 0; overflow: visible; }

/* ---------- marks (marks.js) ----------
 * Per composer a fixed clip box (its visible box) holding one box per line fragment of a flagged
 * word: a light tint and an underline. Severity is distinguishable without colour: block = thick
 * double underline, warn = wavy, info = dotted (drawn as text-decoration on a run of no-break
 * spaces, so they look like the browser's own underlines). Nothing here takes pointer events. */
.marks { position: fixed; overflow: hidden; pointer-events: none; z-index: 2147483000; margin: 0; padding: 0; }
.pcmark { position: absolute; pointer-events: none; border-radius: 2px; margin: 0; padding: 0; }
.pcmark::after { content: "\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0\\a0";
  position: absolute; left: 0; right: 0; top: 100%; height: 16px; margin-top: -6px; overflow: hidden;
  font: 16px/0 monospace; white-space: pre; color: transparent; pointer-events: none;
  text-decoration-line: underline; text-decoration-skip-ink: none; }
.pcmark-block { background: rgba(196, 30, 58, 0.16); }
.pcmark-block::after { text-decoration-style: double; text-decoration-color: #b0102b; text-decoration-thickness: 3px; }
.pcmark-warn { background: rgba(224, 140, 0, 0.18); }
.pcmark-warn::after { text-decoration-style: wavy; text-decoration-color: #a05a00; text-decoration-thickness: 2px; }
.pcmark-info { background: rgba(30, 100, 200, 0.10); }
.pcmark-info::after { text-decoration-style: dotted; text-decoration-color: #1d5fb8; text-decoration-thickness: 2px; }
/* A composer with light text on a dark background (the site's dark theme): lighter underlines. */
.dark .pcmark-block { background: rgba(255, 110, 130, 0.22); }
.dark .pcmark-block::after { text-decoration-color: #ff8a9b; }
.dark .pcmark-warn { background: rgba(255, 180, 60, 0.20); }
.dark .pcmark-warn::after { text-decoration-color: #ffc266; }
.dark .pcmark-info { background: rgba(120, 170, 255, 0.18); }
.dark .pcmark-info::after { text-decoration-color: #9cc0ff; }

/* A field's hidden mirror: the field's text with the same metrics, measured, never painted. */
.mirror {
  position: fixed; left: 0; top: 0; height: auto; margin: 0; pointer-events: none; overflow: visible;
  visibility: hidden; white-space: pre-wrap; overflow-wrap: break-word; word-wrap: break-word;
}

/* ---------- shared type ---------- */
.note, .dialog {
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1b1b1b; text-align: start; letter-spacing: normal; text-transform: none;
}
.sev { display: inline-flex; align-items: center; gap: 4px; font-weight: 700; font-size: 12px;
  padding: 1px 6px 1px 4px; border-radius: 4px; border: 1px solid currentColor; white-space: nowrap;
  vertical-align: 1px; margin-inline-end: 6px; }
.sev svg { width: 14px; height: 14px; flex: none; }
.sev-block { color: #a4001d; background: #fff0f1; }
.sev-warn { color: #8a4b00; background: #fff6e5; }
.sev-info { color: #1a4f99; background: #eef4ff; }
.heading { font-weight: 600; }
.message { margin: 2px 0 0; }
.quote { margin: 4px 0 0; padding: 2px 0 2px 10px; border-inline-start: 3px solid #8a8a8a; color: #333;
  font-style: normal; }
.quote-text { white-space: pre-wrap; }
.quote .caption { display: block; font-size: 12.5px; font-weight: 600; color: inherit; }
.linkbtn { font: inherit; font-size: 13px; color: #0b57d0; background: none; border: 0; padding: 0 2px;
  text-decoration: underline; cursor: pointer; border-radius: 2px; }
.linkbtn:focus-visible, .btn:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }

/* ---------- inline note ---------- */
.note-wrap { position: fixed; z-index: 2147483100; pointer-events: none; }
.note { pointer-events: auto; background: #fffdf6; border: 1px solid #b7a46a; border-radius: 8px;
  box-shadow: 0 2px 10px rgba(0,0,0,.14); padding: 8px 10px; max-height: 50vh; overflow: auto; font-size: 13px; }
.note .quote { font-size: 12.5px; }
.note:empty { display: none; }
.note ul { list-style: none; margin: 0; padding: 0; }
.note li + li { margin-top: 8px; padding-top: 8px; border-top: 1px solid #e6dfc6; }
.note .more { margin: 8px 0 0; font-size: 13px; color: #444; }
.note .caveat { margin: 6px 0 0; font-size: 13px; color: #444; }

/* ---------- held-post warning ---------- */
.backdrop { position: fixed; inset: 0; background: rgba(15, 20, 25, .45); z-index: 2147483200;
  display: flex; align-items: center; justify-content: center; padding: 16px; }
.dialog { background: #fff; border-radius: 12px; border: 2px solid #1b1b1b; width: min(560px, 100%);
  max-height: calc(100vh - 32px); display: flex; flex-direction: column; box-shadow: 0 8px 32px rgba(0,0,0,.3); }
.dialog h2 { font-size: 20px; line-height: 1.3; margin: 0; padding: 16px 20px 0; }
.dialog .body { padding: 8px 20px; overflow: auto; }
.dialog .intro { margin: 0 0 8px; }
.dialog ul { margin: 0; padding: 0; list-style: none; }
.dialog li { padding: 10px 0; border-top: 1px solid #ddd; }
.dialog .excerpt { margin: 2px 0 0; color: #333; font-weight: 600; }
.dialog .finding { margin: 6px 0 0; }
.dialog .caveat { margin: 8px 0 0; font-size: 13px; color: #444; }
.dialog .actions { display: flex; gap: 12px; justify-content: flex-end; padding: 12px 20px 16px;
  border-top: 1px solid #ddd; flex-wrap: wrap; }
.btn { font: 600 15px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; border-radius: 9999px;
  padding: 10px 18px; cursor: pointer; min-height: 44px; min-width: 44px; }
.btn-primary { background: #0f1419; color: #fff; border: 2px solid #0f1419; }
.btn-secondary { background: #fff; color: #0f1419; border: 2px solid #536471; }
.btn-primary:hover { background: #30363b; }
.btn-secondary:hover { background: #f1f3f4; }

@media (prefers-color-scheme: dark) {
  .note { background: #22211c; color: #f1efe8; border-color: #8a7b4a; }
  .note li + li { border-top-color: #4a4636; }
  .note .more, .note .caveat { color: #cfcab8; }
  .dialog { background: #15181c; color: #f1f3f4; border-color: #c4c9ce; }
  .dialog li, .dialog .actions { border-color: #3a3f44; }
  .dialog .excerpt, .dialog .caveat, .quote { color: #d4d8dc; }
  .linkbtn { color: #8ab4f8; }
  .btn-primary { background: #f1f3f4; color: #0f1419; border-color: #f1f3f4; }
  .btn-primary:hover { background: #d0d4d8; }
  .btn-secondary { background: #15181c; color: #f1f3f4; border-color: #9aa4ad; }
  .btn-secondary:hover { background: #22272c; }
  .sev-block { color: #ffb3bd; background: #3a0d14; }
  .sev-warn { color: #ffd38a; background: #3a2800; }
  .sev-info { color: #a8c7fa; background: #0d2040; }
  .linkbtn:focus-visible, .btn:focus-visible { outline-color: #8ab4f8; }
}
@media (forced-colors: active) {
  .note, .dialog { border: 2px solid CanvasText; }
  .sev { border: 1px solid CanvasText; }
  /* Marks in the user's system colours, shapes kept: a tint and an underline in Highlight. */
  .pcmark, .pcmark::after { forced-color-adjust: none; }
  .pcmark { background: color-mix(in srgb, Highlight 30%, transparent) !important; }
  .pcmark::after { text-decoration-color: Highlight !important; }
}
@media (prefers-reduced-motion: reduce) { * { transition: none !important; animation: none !important; } }
`;

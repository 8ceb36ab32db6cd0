// Site adapters: how to find a composer, its submit control and its attachments on each site.
//
// This file is DATA. The shared mechanism (main.js, guard.js, text-model.js) knows nothing about
// any particular site; it only reads these entries. Landmarks come from public code and are
// perishable (see /work/shared/site-landmarks.md): prefer data-testid / role / aria-* over class
// names, and keep the generic fallback working for when a site changes its markup.
//
// Shape of an adapter:
//   id          string   site id sent to the background as `site` (contract §5)
//   hosts       string[] hostnames (exact, or a suffix when written ".example.org")
//   composer    string   CSS selector matching the editable element itself (textarea or the
//                        contenteditable root), used with Element.closest() on event targets
//   submit      string   CSS selector for submit controls (matched with closest() on click targets)
//   submitLabel RegExp?  accessible labels of submit controls for the generic walk-up search
//   keys        string[] keyboard submit conventions inside the composer: 'mod+enter' = Ctrl/Cmd+Enter
//   formSubmit  boolean  the composer's <form> submit event is a submission
//   attachments string?  selector; a match inside the composer's container means media is attached
//   generic     boolean  also accept generic composers / submit controls on this site

/** Labels a submit control may carry (generic walk-up search). English; localised sites vary. */
export const SUBMIT_LABEL = /^\s*(post|post all|reply|publish|publish post|send|toot|toot!|comment|share|tweet)\s*$/i;

/** Generic composer selector: what any site's post box is likely to be. */
export const GENERIC_COMPOSER = 'textarea, [contenteditable=""], [contenteditable="true"], [role="textbox"]';

/** Generic submit candidates found by walking up from the composer. */
export const GENERIC_SUBMIT = 'button[type=submit], input[type=submit], button, [role=button]';

/** @type {Array<{id:string, hosts:string[], composer:string, submit:string, submitLabel?:RegExp,
 *   keys:string[], formSubmit:boolean, attachments?:string, generic:boolean}>} */
export const ADAPTERS = [
  {
    // x.com / twitter.com — Draft.js editor.
    // Landmarks (site-landmarks.md; public code: insin/control-panel-for-twitter script.js,
    // Automattic/harper editor detection): composer `div[role=textbox][data-testid^=tweetTextarea_]`
    // (tweetTextarea_0 is the first box of a thread) inside `.DraftEditor-root`; submit
    // `[data-testid=tweetButtonInline]` (inline / reply) and `[data-testid=tweetButton]` (modal);
    // Ctrl/Cmd+Enter posts.
    id: 'x',
    hosts: ['x.com', 'twitter.com', 'mobile.x.com', 'mobile.twitter.com'],
    composer: 'div[role=textbox][data-testid^=tweetTextarea_]',
    submit: '[data-testid=tweetButtonInline], [data-testid=tweetButton]',
    keys: ['mod+enter'],
    formSubmit: false,
    // Unverified guess (not in site-landmarks.md): media previews under the composer.
    attachments: '[data-testid=attachments] img, [data-testid=attachments] video',
    generic: true,
  },
  {
    // www.facebook.com — Lexical editor.
    // Landmarks (site-landmarks.md; public automation scripts, e.g. vader-pepe/snorkel constants):
    // composer `div[role=textbox][contenteditable=true][data-lexical-editor=true]` with text in
    // `span[data-lexical-text]`; submit `div[role=button][aria-label=Post]`. ("Post" is localised.)
    id: 'facebook',
    hosts: ['www.facebook.com', 'facebook.com', 'm.facebook.com', 'web.facebook.com'],
    composer: 'div[role=textbox][contenteditable=true][data-lexical-editor=true]',
    submit: 'div[role=button][aria-label=Post]',
    keys: ['mod+enter'],
    formSubmit: false,
    generic: true,
  },
  {
    // Mastodon (any host; mastodon.social is the one the extension is injected on) — a textarea.
    // Landmarks (site-landmarks.md; mastodon/mastodon compose_form.jsx, autosuggest_textarea.jsx):
    // composer `form.compose-form textarea` (class autosuggest-textarea__textarea; the content
    // warning field is #cw-spoiler-input); submit `.compose-form__submit button[type=submit]` and
    // the form's submit event; Ctrl/Cmd+Enter posts.
    id: 'mastodon',
    hosts: ['mastodon.social', '.mastodon.social'],
    composer: 'form.compose-form textarea',
    submit: '.compose-form__submit button[type=submit], form.compose-form button[type=submit]',
    keys: ['mod+enter'],
    formSubmit: true,
    // mastodon/mastodon upload_form.jsx (and forks): one `.compose-form__upload` per attachment.
    attachments: '.compose-form__upload, .compose-form__upload-thumbnail',
    generic: true,
  },
];

/** Fallback for any other host: generic composers, submit found by walking up. */
export const GENERIC_ADAPTER = {
  id: 'generic',
  hosts: [],
  composer: GENERIC_COMPOSER,
  submit: '',
  keys: ['mod+enter'],
  formSubmit: true,
  generic: true,
};

/**
 * The adapter for a hostname, or the generic one.
 * @param {string} hostname e.g. location.hostname
 * @returns {typeof GENERIC_ADAPTER}
 */
export function adapterFor(hostname) {
  const h = String(hostname || '').toLowerCase();
  for (const a of ADAPTERS) {
    for (const host of a.hosts) {
      if (host.startsWith('.') ? h.endsWith(host) : h === host) return a;
    }
  }
  return GENERIC_ADAPTER;
}

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
//   enterSends  string?  selector of composers (comment boxes) where a plain Enter sends
//                        (Shift+Enter is a new line); matched with Element.matches()
//   formSubmit  boolean  the composer's <form> submit event is a submission
//   attachments string?  selector; a match inside the composer's container means media is attached
//   generic     boolean  also accept generic composers / submit controls on this site

/** Labels a submit control may carry (generic walk-up search). English; localised sites vary. */
export const SUBMIT_LABEL = /^\s*(post|post all|reply|publish|publish post|send|toot|toot!|comment|share|tweet|save)\s*$/i;

/** Generic composer selector: what any site's post box is likely to be. */
export const GENERIC_COMPOSER = 'textarea, [contenteditable=""], [contenteditable="true"], [role="textbox"]';

/** Generic submit candidates found by walking up from the composer. */
export const GENERIC_SUBMIT = 'button[type=submit], input[type=submit], button, [role=button]';

/** @type {Array<{id:string, hosts:string[], composer:string, submit:string, submitLabel?:RegExp,
 *   keys:string[], enterSends?:string, formSubmit:boolean, attachments?:string, generic:boolean}>} */
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
    submit: 'div[role=button][aria-label=Post], div[role=button][aria-label=Comment]',
    keys: ['mod+enter'],
    // Comment boxes send on Enter. Their textbox is labelled "Write a comment…" / "Write a public
    // comment…" (public automation scripts; localised, so the generic walk-up stays as fallback).
    enterSends: '[role=textbox][aria-label*=comment i]',
    formSubmit: false,
    // Unverified guess: attached photo/video previews inside the composer dialog.
    attachments: '[role=dialog] img[alt]:not([alt=""]), [aria-label*="Remove photo" i], [aria-label*="Remove video" i]',
    generic: true,
  },
  {
    // www.linkedin.com — Quill editor (posts in the share box, comments).
    // Landmarks (site-landmarks.md; public LinkedIn automation selector files): composer `.ql-editor`
    // (older comment boxes `.mentions-texteditor__contenteditable`); submit
    // `.share-actions__primary-action` (share box "Post") and `.comments-comment-box__submit-button`.
    // LinkedIn exposes no data-testid here, so these are class names: the generic walk-up (labels
    // Post / Comment) is the fallback when they change.
    id: 'linkedin',
    hosts: ['www.linkedin.com', 'linkedin.com'],
    composer: '.ql-editor, .mentions-texteditor__contenteditable',
    submit: '.share-actions__primary-action, .comments-comment-box__submit-button',
    keys: [],
    formSubmit: true,
    // Unverified guess: the share box's media preview.
    attachments: '.share-creation-state__media img, .share-media-preview img, .share-media-preview video',
    generic: true,
  },
  {
    // bsky.app — TipTap (ProseMirror) editor.
    // Landmarks (site-landmarks.md; bluesky-social/social-app Composer.tsx, TextInput.web.tsx):
    // composer `.ProseMirror[contenteditable=true]` (TipTap's root); submit
    // `[data-testid=composerPublishBtn]` (aria-label "Publish post"); Ctrl/Cmd+Enter publishes.
    id: 'bsky',
    hosts: ['bsky.app', 'main.bsky.dev'],
    composer: '.ProseMirror[contenteditable=true]',
    submit: '[data-testid=composerPublishBtn]',
    keys: ['mod+enter'],
    formSubmit: false,
    // Unverified guess (social-app Gallery.tsx): image previews carry alt text buttons.
    attachments: '[data-testid=composerGallery] img, [data-testid=composerVideo] video, [aria-label*="Remove image" i]',
    generic: true,
  },
  {
    // threads.com / threads.net — Lexical editor inside a dialog.
    // Landmarks (site-landmarks.md; public scripts, e.g. ThreadsAutoComment): composer
    // `div[role=dialog] div[role=textbox][contenteditable=true]`; submit a `div[role=button]`
    // labelled "Post" (no stable attribute: found by the generic walk-up to the dialog, by label).
    id: 'threads',
    hosts: ['www.threads.com', 'threads.com', 'www.threads.net', 'threads.net'],
    composer: 'div[role=dialog] div[role=textbox][contenteditable=true], div[role=textbox][contenteditable=true][data-lexical-editor=true]',
    submit: '',
    keys: ['mod+enter'],
    formSubmit: false,
    // Unverified guess: attached media previews in the dialog.
    attachments: '[role=dialog] img[alt]:not([alt=""]), [role=dialog] video',
    generic: true,
  },
  {
    // www.instagram.com — comments are a textarea in a form that sends on Enter; captions are a
    // contenteditable (Lexical) in the "Create new post" dialog.
    // Landmarks (site-landmarks.md; public automation extensions): comments
    // `form textarea[aria-label*=comment i]`, captions `[role=dialog] [contenteditable=true]`;
    // submit `div[role=button]` labelled "Post" (comments) / "Share" (captions) — labels only, so
    // found by the generic walk-up to the form or dialog.
    id: 'instagram',
    hosts: ['www.instagram.com', 'instagram.com'],
    composer: 'form textarea[aria-label*=comment i], div[role=dialog] div[contenteditable=true][role=textbox]',
    submit: '',
    keys: [],
    enterSends: 'textarea[aria-label*=comment i]',
    formSubmit: true,
    // Unverified guess: the create dialog shows the chosen photo/video (alt text) beside the caption.
    attachments: '[role=dialog] img[alt]:not([alt=""]), [role=dialog] video',
    generic: true,
  },
  {
    // www.reddit.com (new Reddit) — Lexical inside the open shadow root of `shreddit-composer`;
    // old.reddit.com — a plain textarea in a form.
    // Landmarks (site-landmarks.md; Automattic/harper checks for SHREDDIT-COMPOSER; public scripts):
    // composer `div[role=textbox][contenteditable=true]` inside shreddit-composer's shadow root (a
    // selector cannot cross the shadow boundary, so it names the textbox itself); submit the light-DOM
    // `shreddit-composer button[slot=submit-button]` / `[type=submit]`. Old Reddit (reddit/reddit r2
    // templates): `.usertext-edit textarea[name=text]`, form submit with `button[type=submit]`.
    id: 'reddit',
    hosts: ['www.reddit.com', 'reddit.com', 'new.reddit.com', 'old.reddit.com', 'sh.reddit.com'],
    composer: 'div[role=textbox][contenteditable=true], .usertext-edit textarea, form textarea[name=text]',
    submit: 'shreddit-composer button[slot=submit-button], shreddit-composer button[type=submit], .usertext-edit button[type=submit]',
    keys: ['mod+enter'],
    formSubmit: true,
    // Unverified guess: image previews in the composer.
    attachments: 'shreddit-composer img, .media-preview img',
    generic: true,
  },
  {
    // www.youtube.com — comments: a custom contenteditable (no editor library).
    // Landmarks (site-landmarks.md; public scripts): composer
    // `ytd-comment-simplebox-renderer #contenteditable-root` (YouTube's Polymer elements render in
    // light DOM, so the descendant selector works); submit `#submit-button button` (aria-label
    // "Comment" / "Reply"). Enter is a new line; the button posts.
    id: 'youtube',
    hosts: ['www.youtube.com', 'youtube.com', 'm.youtube.com'],
    composer: 'ytd-comment-simplebox-renderer #contenteditable-root, ytd-commentbox #contenteditable-root, #contenteditable-root[contenteditable=true]',
    submit: 'ytd-comment-simplebox-renderer #submit-button button, ytd-commentbox #submit-button button',
    keys: [],
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
    composer: 'form.compose-form textarea, form.compose-form #cw-spoiler-input',
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
 * @param {string|null} [hint] adapter id set by a run-time registered prelude (globalThis.postcheckSite)
 * @returns {typeof GENERIC_ADAPTER}
 */
export function adapterFor(hostname, hint = null) {
  // A site the user granted at run time (e.g. another Mastodon instance) is named by its prelude.
  if (hint) {
    const named = ADAPTERS.find((a) => a.id === hint);
    if (named) return named;
  }
  const h = String(hostname || '').toLowerCase();
  for (const a of ADAPTERS) {
    for (const host of a.hosts) {
      if (host.startsWith('.') ? h.endsWith(host) : h === host) return a;
    }
  }
  return GENERIC_ADAPTER;
}

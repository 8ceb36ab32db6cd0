// Every user-facing string goes through chrome.i18n (extension/_locales/<lang>/messages.json).
// Whole sentences live in messages.json with named placeholders, so a translation (Welsh next)
// can reorder them; nothing here concatenates sentence fragments.

/**
 * A localised message.
 * @param {string} key message name in messages.json
 * @param {...(string|number)} subs substitutions for $1…$9 / named placeholders, in order
 * @returns {string} the message, or the key itself if it is missing (so a gap is visible, not blank)
 */
export function t(key, ...subs) {
  let s = '';
  try {
    s = chrome.i18n.getMessage(key, subs.map(String));
  } catch {
    s = '';
  }
  return s || key;
}

// postcheck — the messages between the content script / options page and the background.
//
// The single typed place for contract §5 (docs/contract.md). Import the constructors rather
// than writing message literals, so a change to the contract is a change to this file.
//
//   content script ──{type:'check', text, site, attachments}──▶ background
//                  ◀──{ok:true, council, findings} | {ok:false, error}──
//   options page   ──{type:'profiles'}──▶ background
//                  ◀──{ok:true, profiles} | {ok:false, error}──

/** Message type tags. */
export const MSG = Object.freeze({
  CHECK: 'check',
  PROFILES: 'profiles',
  /** options page → background: the administrator's policy as applied, and its problems. */
  MANAGED: 'managed',
});

/** `chrome.storage.sync` key holding the user's {@link Settings}. */
export const SETTINGS_KEY = 'settings';

/**
 * @typedef {'block' | 'warn' | 'info'} Severity
 *
 * @typedef {object} ClauseRef   A clause of the selected council's policy (contract §3).
 * @property {string} council    Profile id, e.g. "barnsley".
 * @property {string} document   Policy title, e.g. "Barnsley MBC Social Networking Policy".
 * @property {string} clause     Clause id, e.g. "4.4".
 * @property {string} heading    Section heading, verbatim from the policy.
 * @property {string} quote      The clause text, verbatim from the policy.
 * @property {string} reference  As users see it: "{document} {label}".
 *
 * @typedef {object} Finding     One breach found in the draft (contract §3).
 * @property {string} rule       Id of the rule that fired, e.g. "confidential.secrecy-cue".
 * @property {string} category   Category id, e.g. "confidential-info".
 * @property {string} title      Display title of the category, e.g. "Confidential information".
 * @property {Severity} severity
 * @property {ClauseRef[]} clauses
 * @property {number} start      UTF-16 code units into the checked text (JS string index).
 * @property {number} end        Exclusive; `start === end === 0` → about the whole post.
 * @property {string} message
 *
 * @typedef {object} ProfileSummary
 * @property {string} id
 * @property {string} name        Shown in the options page "Council" select.
 * @property {string} document
 * @property {'en' | 'cy'} language
 * @property {string | null} note Caveat to show in the UI (e.g. Caerphilly: a report, not the policy).
 *
 * @typedef {'personal' | 'official'} Mode
 * @typedef {'politically_restricted' | 'works_with_vulnerable'} Role
 *
 * @typedef {object} Settings    `chrome.storage.sync` key `settings`.
 * @property {string | null} council  Profile id; null until the user picks one.
 * @property {Mode} mode
 * @property {Role[]} roles
 * @property {string[]} [elections]   Optional election dates "YYYY-MM-DD".
 * @property {'auto' | 'en' | 'cy'} [language]  Language of postcheck's screens; 'auto' (default) follows the browser.
 *
 * @typedef {'x' | 'facebook' | 'mastodon' | string} Site
 *
 * @typedef {object} CheckRequest
 * @property {'check'} type
 * @property {string} text        The draft as plain text (spans in the reply index into it).
 * @property {Site} site
 * @property {boolean} attachments  The composer holds an image or video.
 *
 * @typedef {object} ProfilesRequest
 * @property {'profiles'} type
 *
 * @typedef {{ok: true, council: {id: string, name: string} | null, findings: Finding[]}} CheckOk
 * @typedef {{ok: true, profiles: ProfileSummary[]}} ProfilesOk
 * @typedef {{ok: false, error: string}} Failure
 * @typedef {CheckOk | Failure} CheckResponse
 * @typedef {ProfilesOk | Failure} ProfilesResponse
 * @typedef {CheckRequest | ProfilesRequest} Request
 */

/**
 * @param {string} text
 * @param {Site} site
 * @param {boolean} [attachments]
 * @returns {CheckRequest}
 */
export function checkRequest(text, site, attachments = false) {
  return { type: MSG.CHECK, text: String(text), site: String(site), attachments: Boolean(attachments) };
}

/** @returns {ProfilesRequest} */
export function profilesRequest() {
  return { type: MSG.PROFILES };
}

/** The administrator's policy as the background applies it: `{ok, policy, problems, settings}`. */
export function managedRequest() {
  return { type: MSG.MANAGED };
}

/**
 * @param {{id: string, name: string} | null} council
 * @param {Finding[]} findings
 * @returns {CheckOk}
 */
export function checkOk(council, findings) {
  return { ok: true, council: council ? { id: council.id, name: council.name } : null, findings };
}

/**
 * @param {ProfileSummary[]} profiles
 * @returns {ProfilesOk}
 */
export function profilesOk(profiles) {
  return { ok: true, profiles };
}

/**
 * @param {unknown} error  An Error, a string, or anything else (stringified).
 * @returns {Failure}
 */
export function failure(error) {
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : String(error);
  return { ok: false, error: message || 'unknown error' };
}

/**
 * Validates an incoming message's shape. Returns the request, or a reason string.
 * @param {unknown} msg
 * @returns {Request | string}
 */
export function parseRequest(msg) {
  if (!msg || typeof msg !== 'object') return 'message is not an object';
  const m = /** @type {Record<string, unknown>} */ (msg);
  switch (m.type) {
    case MSG.CHECK:
      if (typeof m.text !== 'string') return 'check: "text" must be a string';
      if (m.site !== undefined && typeof m.site !== 'string') return 'check: "site" must be a string';
      if (m.attachments !== undefined && typeof m.attachments !== 'boolean')
        return 'check: "attachments" must be a boolean';
      return checkRequest(m.text, m.site ?? 'unknown', m.attachments ?? false);
    case MSG.PROFILES:
      return profilesRequest();
    case MSG.MANAGED:
      return managedRequest();
    default:
      return `unknown message type ${JSON.stringify(m.type)}`;
  }
}

/**
 * Sends a request to the background and resolves with its response; never rejects
 * (a missing receiver or a torn-down extension context becomes `{ok: false, error}`).
 * @template {Request} R
 * @param {R} request
 * @returns {Promise<R extends CheckRequest ? CheckResponse : ProfilesResponse>}
 */
export async function send(request) {
  try {
    const response = await chrome.runtime.sendMessage(request);
    if (response && typeof response === 'object' && typeof response.ok === 'boolean') {
      return response;
    }
    return /** @type {any} */ (failure('no response from the postcheck background'));
  } catch (e) {
    return /** @type {any} */ (failure(e));
  }
}

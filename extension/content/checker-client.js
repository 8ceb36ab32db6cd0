// Asks the background to check a draft (contract §5) and remembers the answers.
//
// Answers are cached by the exact (text, attachments) they were computed for, so a result is
// only ever applied to the text it describes; a newer request for the same key wins over an
// older one (sequence numbers). A cached answer is served for CACHE_TTL_MS only: some findings
// depend on the clock (the pre-election period, working hours), so the same text is checked again
// after a minute rather than answered from a stale result for as long as the tab lives.
// LatestCheck coalesces one composer's checks while the user types. Nothing here touches the network: the only channel is
// chrome.runtime messaging to our own background service worker.

import { checkRequest, send } from '../shared/protocol.js';
import { findingHash } from '../shared/local-state.js';

/**
 * @typedef {import('../shared/protocol.js').Finding} Finding
 * @typedef {object} CheckResult
 * @property {string} text            the exact text that was checked
 * @property {boolean} attachments
 * @property {boolean} ok             false: the background could not check (error)
 * @property {{id:string,name:string}|null} council  null → no council chosen yet
 * @property {Finding[]} findings     spans are UTF-16 code units into `text`
 * @property {string} [error]
 * @property {number} [generation]    settings generation it was computed under (see invalidate)
 */

const CACHE_LIMIT = 32;
/**
 * A composer gaining focus wakes the background if it has not answered for this long (ms): Chrome
 * stops an idle extension service worker after 30 s, and a cold worker (start, wasm instantiated,
 * rules compiled) takes hundreds of ms — better spent while the user places the caret than after
 * their first keystroke.
 */
export const WARM_AFTER_MS = 20_000;
const HASH_MEMO_LIMIT = 256;
/** How long a cached answer is served (ms): clock-dependent findings must not go stale. */
export const CACHE_TTL_MS = 60_000;
const RETRY_DELAY_MS = 150;

/** Errors that mean "the background was not there to answer" (restarting / waking up). */
const TRANSIENT = /establish connection|receiving end does not exist|message port closed|no response/i;
/** Errors after which this content script can never talk to the background again. */
const DEAD = /context invalidated/i;

export class CheckerClient {
  /**
   * @param {string} site site id sent with every request
   * @param {{now?: () => number}} [options] now: the clock in ms (Date.now; tests pass their own)
   */
  constructor(site, { now = Date.now } = {}) {
    this.site = site;
    this.now = now;
    /** @type {Map<string, {result: CheckResult, at: number}>} answers and when they arrived (ms) */
    this.cache = new Map();
    /** @type {Map<string, Promise<CheckResult>>} */
    this.inflight = new Map();
    this.seq = 0;
    /** @type {Map<string, number>} key → seq of the newest request for it */
    this.latest = new Map();
    this.generation = 0; // bumped when settings change: older answers are discarded
    this.dead = false;
    /** @type {{council: string|null, deadline: number} | null} council the new settings name */
    this.expected = null;
    /** @type {Promise<unknown>|null} resolves when per-device state (dismissals) is known */
    this.ready = null;
    /** @type {Set<string>} hashes of findings the user dismissed (popup) */
    this.dismissed = new Set();
    /**
     * Finding hashes already computed, by [council, rule, category, the finding's words]: while the
     * user types, the same findings come back with every answer; their SHA-256 is not redone.
     * @type {Map<string, Promise<string>>}
     */
    this.hashes = new Map();
    /** when the background last answered (ms, this.now()); -Infinity: never */
    this.answeredAt = -Infinity;
  }

  /**
   * Wake the background (service worker, wasm, rules) if it may have been stopped: a check of the
   * empty draft, answer ignored, nothing cached. At most one per WARM_AFTER_MS of silence.
   * @returns {boolean} true if a wake-up was sent
   */
  warm() {
    if (this.dead || this.now() - this.answeredAt < WARM_AFTER_MS) return false;
    this.answeredAt = this.now(); // one wake-up at a time
    send(checkRequest('', this.site, false)).then((res) => {
      if (res.ok) this.answeredAt = this.now();
      else this.answeredAt = -Infinity;
    });
    return true;
  }

  /** findingHash, memoised (bounded to HASH_MEMO_LIMIT entries, oldest dropped first). */
  _hash(councilId, f, text) {
    const key = JSON.stringify([councilId, f.rule, f.category, text.slice(f.start, f.end)]);
    let h = this.hashes.get(key);
    if (!h) {
      h = findingHash(councilId, f, text);
      h.catch(() => this.hashes.delete(key));
      this.hashes.set(key, h);
      if (this.hashes.size > HASH_MEMO_LIMIT) this.hashes.delete(this.hashes.keys().next().value);
    }
    return h;
  }

  /** Findings with these hashes are left out of every answer. @param {Iterable<string>} hashes */
  setDismissed(hashes) {
    this.dismissed = new Set(hashes);
  }

  /**
   * Settings changed to this council: until the background answers for it (it learns of the
   * change through its own storage listener, possibly after us), an answer naming another council
   * is asked for again. Gives up after a few seconds (e.g. an administrator's managed council
   * overrides the user's).
   * @param {string|null} council the council id in the new settings
   */
  expectCouncil(council) {
    this.expected = { council: council ?? null, deadline: Date.now() + 3000 };
  }

  /** @param {string} text @param {boolean} attachments */
  static key(text, attachments) {
    return (attachments ? '1' : '0') + text;
  }

  /**
   * The cached result for exactly this text, if any, and if younger than CACHE_TTL_MS.
   * @param {string} text @param {boolean} attachments
   * @param {{stale?: boolean}} [options] stale: also an older one (what was last shown, e.g. for the popup)
   * @returns {CheckResult | undefined}
   */
  cached(text, attachments, { stale = false } = {}) {
    const hit = this.cache.get(CheckerClient.key(text, attachments));
    if (!hit) return undefined;
    if (!stale && this.now() - hit.at > CACHE_TTL_MS) return undefined;
    return hit.result;
  }

  /** Forget every answer (settings changed: the same text may now give different findings). */
  invalidate() {
    this.cache.clear();
    this.inflight.clear();
    this.latest.clear();
    this.generation++;
  }

  /**
   * Check a draft. Concurrent calls for the same key share one request.
   * Never rejects: a failure resolves to a result with ok:false and no findings.
   * @param {string} text the draft, exactly as typed
   * @param {boolean} attachments
   * @returns {Promise<CheckResult>}
   */
  check(text, attachments) {
    const key = CheckerClient.key(text, attachments);
    const hit = this.cached(text, attachments);
    if (hit) return Promise.resolve(hit);
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const seq = ++this.seq;
    const gen = this.generation;
    this.latest.set(key, seq);
    const attempt = () => this._ask(text, attachments).then((result) => {
      if (this.expected && result.ok && gen === this.generation) {
        const got = result.council ? result.council.id : null;
        if (got === this.expected.council || Date.now() > this.expected.deadline) this.expected = null;
        else return new Promise((r) => setTimeout(r, 100)).then(attempt); // not caught up yet: ask again
      }
      return { ...result, generation: gen };
    });
    const p = attempt().then((result) => {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
      // Drop answers that are stale: superseded by a newer request for the same key, or
      // computed under settings that have since changed.
      if (gen === this.generation && this.latest.get(key) === seq && result.ok) {
        this.cache.delete(key); // re-inserted last: the oldest entry is the first evicted
        this.cache.set(key, { result, at: this.now() });
        if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value);
      }
      return result;
    });
    this.inflight.set(key, p);
    return p;
  }

  /** @returns {Promise<CheckResult>} */
  async _ask(text, attachments) {
    const base = { text, attachments, council: null, findings: [] };
    if (this.dead) return { ...base, ok: false, error: 'extension context invalidated' };
    if (this.ready) await this.ready.catch(() => {});
    const req = checkRequest(text, this.site, attachments);
    let res = await send(req);
    if (!res.ok && TRANSIENT.test(res.error)) {
      // The background service worker may be restarting: retry once.
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
      res = await send(req);
    }
    if (!res.ok) {
      if (DEAD.test(res.error)) this.dead = true;
      return { ...base, ok: false, error: res.error };
    }
    this.answeredAt = this.now();
    const valid = Array.isArray(res.findings) ? res.findings.filter(validFinding(text)) : [];
    // Each finding carries its hash (how a dismissal is remembered); dismissed ones are dropped.
    const councilId = res.council ? res.council.id : null;
    let findings = valid;
    try {
      findings = await Promise.all(valid.map(async (f) => ({ ...f, hash: await this._hash(councilId, f, text) })));
      findings = findings.filter((f) => !this.dismissed.has(f.hash));
    } catch {
      // no WebCrypto here: findings stay unhashed (and cannot be dismissed)
    }
    return { ...base, ok: true, council: res.council ?? null, findings };
  }
}

/**
 * One composer's checks while the user types: at most one request in flight, and the latest text
 * wins. `want(text)` on every change; while a request is out, newer text only replaces what is
 * wanted; when the answer comes back it is delivered (onResult) if it is still for the wanted text
 * under the current settings (CheckerClient.generation), else dropped and the wanted text asked
 * for. So fast typing costs one check per round trip, not one per keystroke, and a slow answer
 * for old text is never shown over newer text.
 */
export class LatestCheck {
  /**
   * @param {CheckerClient} client
   * @param {(result: CheckResult) => void} onResult called with answers for the wanted text only
   */
  constructor(client, onResult) {
    this.client = client;
    this.onResult = onResult;
    /** @type {{text: string, attachments: boolean} | null} */
    this.wanted = null;
    this.inflight = false;
  }

  /** Ask for this text (UTF-16 string as typed); its answer, when current, goes to onResult. */
  want(text, attachments) {
    this.wanted = { text, attachments };
    if (!this.inflight) this._send();
  }

  /** Nothing is wanted any more (switched off, composer gone): an answer in flight is dropped. */
  cancel() {
    this.wanted = null;
  }

  _send() {
    const { text, attachments } = /** @type {{text: string, attachments: boolean}} */ (this.wanted);
    this.inflight = true;
    this.client.check(text, attachments).then((result) => {
      this.inflight = false;
      const w = this.wanted;
      if (!w) return;
      if (w.text === result.text && w.attachments === result.attachments && result.generation === this.client.generation) {
        this.wanted = null;
        this.onResult(result);
      } else {
        this._send(); // stale: the text or the settings changed meanwhile
      }
    });
  }
}

/** Keep only findings whose span fits the text (defensive: spans index into `text`). */
function validFinding(text) {
  return (f) =>
    f && typeof f === 'object' &&
    Number.isInteger(f.start) && Number.isInteger(f.end) &&
    f.start >= 0 && f.end >= f.start && f.end <= text.length &&
    ['block', 'warn', 'info'].includes(f.severity);
}

/**
 * Findings that hold a post: severity warn or block.
 * @param {CheckResult | undefined} result
 * @returns {Finding[]}
 */
export function holdingFindings(result) {
  return result && result.ok ? result.findings.filter((f) => f.severity === 'block' || f.severity === 'warn') : [];
}

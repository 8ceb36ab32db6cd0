// postcheck — settings: defaults, validation, and the one merge function.
//
// Settings flow one way: managed policy ▸ user settings (chrome.storage.sync `settings`)
// ▸ defaults, merged only in effectiveSettings(). Validation happens here, at the edge, and
// every rejected value is reported with a reason rather than silently fixed.

/** @typedef {import('./protocol.js').Settings} Settings */
/** @typedef {import('./protocol.js').Mode} Mode */
/** @typedef {import('./protocol.js').Role} Role */

/** @typedef {{field: string, value: unknown, reason: string}} Problem */

/** @type {readonly Mode[]} */
export const MODES = Object.freeze(['personal', 'official']);

/** Role flags the core understands (contract §2 `Flags`). @type {readonly Role[]} */
export const ROLES = Object.freeze(['politically_restricted', 'works_with_vulnerable']);

/**
 * Languages of postcheck's own screens (settings.language, optional): 'auto' follows the
 * browser. Not part of DEFAULT_SETTINGS / effectiveSettings() unless set (the background does not
 * need it); read by extension/shared/i18n.js.
 */
export const LANGUAGES = Object.freeze(['auto', 'en', 'cy']);

/** @type {Readonly<Settings>} */
export const DEFAULT_SETTINGS = Object.freeze({
  council: null,
  mode: 'personal',
  roles: Object.freeze([]),
});

const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * Validates one layer of settings (user or managed), field by field. Fields absent from
 * `raw` are absent from the result (so a lower layer shows through); invalid fields are
 * replaced as documented and reported.
 *
 * - council: a string id among `councils` (if given), or null. Unknown → null, with a reason.
 * - mode: 'personal' | 'official'. Anything else → 'personal', with a reason.
 * - roles: array of known roles (kebab-case accepted, normalised to snake_case). Unknown
 *   entries are dropped, with a reason each. Duplicates removed.
 * - elections (optional): array of "YYYY-MM-DD"; invalid entries dropped, with a reason each.
 * - language (optional): 'auto' | 'en' | 'cy'. Anything else → 'auto', with a reason.
 *
 * @param {unknown} raw
 * @param {{councils?: Iterable<string> | null, source?: string}} [options]
 *   councils: the known profile ids (skip the council check if omitted);
 *   source: prefix for problem fields, e.g. "managed".
 * @returns {{settings: Partial<Settings>, problems: Problem[]}}
 */
export function validateSettings(raw, { councils = null, source = 'settings' } = {}) {
  /** @type {Problem[]} */
  const problems = [];
  /** @type {Partial<Settings>} */
  const settings = {};
  const problem = (field, value, reason) => problems.push({ field: `${source}.${field}`, value, reason });

  if (raw === undefined || raw === null) return { settings, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problem('', raw, 'settings must be an object; using defaults');
    return { settings, problems };
  }
  const r = /** @type {Record<string, unknown>} */ (raw);

  if ('council' in r) {
    const c = r.council;
    if (c === null || c === undefined || c === '') {
      settings.council = null;
    } else if (typeof c !== 'string') {
      settings.council = null;
      problem('council', c, 'council must be a profile id string; no council selected');
    } else {
      const known = councils ? new Set(councils) : null;
      if (known && !known.has(c)) {
        settings.council = null;
        problem('council', c, `unknown council "${c}"; no council selected`);
      } else {
        settings.council = c;
      }
    }
  }

  if ('mode' in r && r.mode !== undefined) {
    if (MODES.includes(/** @type {any} */ (r.mode))) {
      settings.mode = /** @type {Mode} */ (r.mode);
    } else {
      settings.mode = 'personal';
      problem('mode', r.mode, `mode must be "personal" or "official"; using "personal"`);
    }
  }

  if ('roles' in r && r.roles !== undefined) {
    /** @type {Role[]} */
    const roles = [];
    if (!Array.isArray(r.roles)) {
      problem('roles', r.roles, 'roles must be an array; no roles');
    } else {
      for (const role of r.roles) {
        const norm = typeof role === 'string' ? role.trim().replace(/-/g, '_') : role;
        if (ROLES.includes(/** @type {any} */ (norm))) {
          if (!roles.includes(/** @type {Role} */ (norm))) roles.push(/** @type {Role} */ (norm));
        } else {
          problem('roles', role, `unknown role ${JSON.stringify(role)}; dropped`);
        }
      }
    }
    settings.roles = roles;
  }

  if ('elections' in r && r.elections !== undefined) {
    /** @type {string[]} */
    const elections = [];
    if (!Array.isArray(r.elections)) {
      problem('elections', r.elections, 'elections must be an array of "YYYY-MM-DD"; none');
    } else {
      for (const d of r.elections) {
        if (typeof d === 'string' && DATE_RE.test(d)) {
          if (!elections.includes(d)) elections.push(d);
        } else {
          problem('elections', d, `election date must be "YYYY-MM-DD"; dropped`);
        }
      }
    }
    settings.elections = elections;
  }

  if ('language' in r && r.language !== undefined) {
    if (LANGUAGES.includes(/** @type {any} */ (r.language))) {
      settings.language = /** @type {any} */ (r.language);
    } else {
      settings.language = 'auto';
      problem('language', r.language, 'language must be "auto", "en" or "cy"; using "auto"');
    }
  }

  return { settings, problems };
}

/**
 * The one merge: managed ▸ user ▸ defaults. Each layer is validated separately; a field
 * set (validly or not) in a higher layer wins over the lower ones.
 *
 * @param {unknown} stored  The user's settings as read from chrome.storage.sync (`settings`).
 * @param {{councils?: Iterable<string> | null, managed?: unknown}} [options]
 *   councils: known profile ids (from `checker.profiles()`), to reject unknown councils;
 *   managed: the administrator's settings (chrome.storage.managed) — not wired up yet.
 * @returns {{settings: Settings, problems: Problem[]}}  settings is always complete and valid.
 */
export function effectiveSettings(stored, { councils = null, managed = null } = {}) {
  const known = councils ? [...councils] : null;
  const user = validateSettings(stored, { councils: known, source: 'settings' });
  const admin = validateSettings(managed, { councils: known, source: 'managed' });
  /** @type {Settings} */
  const settings = {
    council: DEFAULT_SETTINGS.council,
    mode: DEFAULT_SETTINGS.mode,
    roles: [...DEFAULT_SETTINGS.roles],
  };
  for (const layer of [user.settings, admin.settings]) {
    for (const [k, v] of Object.entries(layer)) {
      settings[k] = Array.isArray(v) ? [...v] : v;
    }
  }
  return { settings, problems: [...admin.problems, ...user.problems] };
}

/**
 * Formats a Date as the local wall-clock "YYYY-MM-DDTHH:MM" the core expects (`now`).
 * @param {Date} [date]
 * @returns {string}
 */
export function localDateTime(date = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return (
    `${String(date.getFullYear()).padStart(4, '0')}-${p(date.getMonth() + 1)}-${p(date.getDate())}` +
    `T${p(date.getHours())}:${p(date.getMinutes())}`
  );
}

/**
 * Builds the core's Context (contract §2) for one check. `settings.council` must be set.
 * @param {Settings} settings  effective settings
 * @param {{attachments?: boolean, now?: Date}} [draft]
 * @returns {{council: string, mode: Mode, flags: Role[], now: string, elections: string[], attachments: boolean}}
 */
export function buildContext(settings, { attachments = false, now = new Date() } = {}) {
  if (!settings.council) throw new Error('no council selected');
  return {
    council: settings.council,
    mode: settings.mode,
    flags: [...settings.roles],
    now: localDateTime(now),
    elections: [...(settings.elections ?? [])],
    attachments: Boolean(attachments),
  };
}

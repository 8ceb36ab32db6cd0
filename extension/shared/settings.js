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

/** Site ids of the content script's adapters (disabledSites accepts these or host names). */
export const SITE_IDS = Object.freeze(['x', 'facebook', 'linkedin', 'bsky', 'threads', 'instagram', 'reddit', 'youtube', 'mastodon']);
/** Per-category severities an administrator may set; 'off' hides the category. */
export const SEVERITIES = Object.freeze(['block', 'warn', 'info', 'off']);
export const DAYS = Object.freeze(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
/** Every key of extension/managed_schema.json (docs/admin-guide.md documents each). */
export const MANAGED_KEYS = Object.freeze(['council', 'customProfile', 'lockCouncil', 'accountMode', 'lockAccountMode', 'roles',
  'electionDates', 'workingHours', 'severity', 'disabledSites', 'mastodonHosts']);

const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const HOST_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const typeName = (v) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/**
 * @typedef {object} ManagedPolicy  The administrator's settings after validation (only valid values).
 * @property {string} [council]
 * @property {boolean} lockCouncil
 * @property {Mode} [mode]             from `accountMode`
 * @property {boolean} lockMode        from `lockAccountMode`
 * @property {Role[]} [roles]
 * @property {string[]} [elections]    from `electionDates`
 * @property {{days: string[], start: string, end: string} | null} workingHours
 * @property {Record<string, 'block'|'warn'|'info'|'off'>} severity
 * @property {string[]} disabledSites
 * @property {string[]} mastodonHosts
 * @property {string | null} customProfileId  id of a customProfile the background loaded
 */

/**
 * Validates chrome.storage.managed (the whole area: the keys of extension/managed_schema.json).
 * Invalid values are left out (so the user's settings show through) and reported, each problem
 * naming the key (`managed.<key>`) and the reason. A `customProfile` is not checked here beyond
 * its shape: the background validates it with the core (`Checker.addProfile`) and passes the
 * result in as `customProfile: {id} | {error}`.
 *
 * For compatibility a legacy `settings` object ({council, mode, roles, elections}) is read as
 * locked values under the top-level keys.
 *
 * @param {unknown} raw
 * @param {{councils?: Iterable<string> | null, categories?: Iterable<string> | null,
 *   customProfile?: {id?: string, error?: string} | null}} [options]
 * @returns {{policy: ManagedPolicy, problems: Problem[]}}
 */
export function validateManaged(raw, { councils = null, categories = null, customProfile = null } = {}) {
  /** @type {Problem[]} */
  const problems = [];
  /** @type {ManagedPolicy} */
  const policy = { lockCouncil: false, lockMode: false, workingHours: null, severity: {}, disabledSites: [], mastodonHosts: [], customProfileId: null };
  const problem = (key, value, reason) => problems.push({ field: `managed.${key}`, value, reason });
  if (raw === undefined || raw === null) return { policy, problems };
  if (!isObject(raw)) {
    problem('', raw, 'managed settings must be an object; ignored');
    return { policy, problems };
  }
  const r = /** @type {Record<string, any>} */ ({ ...raw });
  if ('settings' in r) {
    const legacy = r.settings;
    delete r.settings;
    if (isObject(legacy)) {
      if ('council' in legacy && !('council' in r)) { r.council = legacy.council; if (!('lockCouncil' in r)) r.lockCouncil = true; }
      if ('mode' in legacy && !('accountMode' in r)) { r.accountMode = legacy.mode; if (!('lockAccountMode' in r)) r.lockAccountMode = true; }
      if ('roles' in legacy && !('roles' in r)) r.roles = legacy.roles;
      if ('elections' in legacy && !('electionDates' in r)) r.electionDates = legacy.elections;
    } else if (legacy !== undefined) {
      problem('settings', legacy, `must be an object, not ${typeName(legacy)}; ignored`);
    }
  }
  const known = councils ? new Set(councils) : null;
  const cats = categories ? new Set(categories) : null;

  for (const k of Object.keys(r)) {
    if (!MANAGED_KEYS.includes(k)) problem(k, r[k], `unknown key "${k}"; ignored`);
  }

  if ('customProfile' in r && r.customProfile !== undefined) {
    if (!isObject(r.customProfile)) {
      problem('customProfile', r.customProfile, `must be a profile object, not ${typeName(r.customProfile)}; not used`);
    } else if (customProfile && customProfile.error) {
      problem('customProfile', r.customProfile.id ?? null, `invalid profile: ${customProfile.error}; not used`);
    } else if (customProfile && customProfile.id) {
      policy.customProfileId = customProfile.id;
      if (known) known.add(customProfile.id);
    }
  }

  for (const [key, lockKey] of [['lockCouncil', 'lockCouncil'], ['lockAccountMode', 'lockMode']]) {
    if (key in r && r[key] !== undefined) {
      if (typeof r[key] === 'boolean') policy[lockKey] = r[key];
      else problem(key, r[key], `must be true or false, not ${typeName(r[key])}; not locked`);
    }
  }

  if ('council' in r && r.council !== undefined) {
    const c = r.council;
    if (typeof c !== 'string' || !c) {
      problem('council', c, `must be a council id string, not ${typeName(c)}; staff choose their council`);
    } else if (known && !known.has(c)) {
      const why = 'customProfile' in r && !policy.customProfileId ? ' (customProfile was not loaded)' : '';
      problem('council', c, `unknown council "${c}"${why}; staff choose their council`);
    } else {
      policy.council = c;
    }
  }
  if (policy.lockCouncil && !policy.council) {
    if (!('council' in r)) problem('lockCouncil', true, 'no council is set to lock; staff choose their council');
    policy.lockCouncil = false;
  }

  if ('accountMode' in r && r.accountMode !== undefined) {
    if (MODES.includes(r.accountMode)) policy.mode = r.accountMode;
    else problem('accountMode', r.accountMode, 'must be "personal" or "official"; staff choose their account type');
  }
  if (policy.lockMode && !policy.mode) {
    if (!('accountMode' in r)) problem('lockAccountMode', true, 'no accountMode is set to lock; staff choose their account type');
    policy.lockMode = false;
  }

  if ('roles' in r && r.roles !== undefined) {
    if (!Array.isArray(r.roles)) {
      problem('roles', r.roles, `must be an array of roles, not ${typeName(r.roles)}; staff choose their roles`);
    } else {
      const roles = [];
      for (const role of r.roles) {
        const norm = typeof role === 'string' ? role.trim().replace(/-/g, '_') : role;
        if (ROLES.includes(norm)) { if (!roles.includes(norm)) roles.push(norm); }
        else problem('roles', role, `unknown role ${JSON.stringify(role)} (expected "politically-restricted" or "works-with-vulnerable"); dropped`);
      }
      policy.roles = roles;
    }
  }

  if ('electionDates' in r && r.electionDates !== undefined) {
    if (!Array.isArray(r.electionDates)) {
      problem('electionDates', r.electionDates, `must be an array of "YYYY-MM-DD", not ${typeName(r.electionDates)}; ignored`);
    } else {
      const dates = [];
      for (const d of r.electionDates) {
        if (typeof d === 'string' && DATE_RE.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d)) {
          if (!dates.includes(d)) dates.push(d);
        } else {
          problem('electionDates', d, `${JSON.stringify(d)} is not a date "YYYY-MM-DD"; dropped`);
        }
      }
      policy.elections = dates;
    }
  }

  if ('workingHours' in r && r.workingHours !== undefined) {
    const w = r.workingHours;
    if (!isObject(w)) {
      problem('workingHours', w, `must be an object {days, start, end}, not ${typeName(w)}; working-time reminder off`);
    } else {
      const days = Array.isArray(w.days) ? w.days.map((d) => (typeof d === 'string' ? d.trim().toLowerCase().slice(0, 3) : d)) : null;
      const badDay = days ? days.find((d) => !DAYS.includes(d)) : undefined;
      if (!days || !days.length || badDay !== undefined) {
        problem('workingHours', w.days, days && days.length ? `unknown day ${JSON.stringify(badDay)} in days (expected mon … sun); working-time reminder off`
          : 'days must be a non-empty array such as ["mon","tue","wed","thu","fri"]; working-time reminder off');
      } else if (typeof w.start !== 'string' || !TIME_RE.test(w.start) || typeof w.end !== 'string' || !TIME_RE.test(w.end)) {
        problem('workingHours', { start: w.start, end: w.end }, 'start and end must be times "HH:MM" (24-hour); working-time reminder off');
      } else if (w.start >= w.end) {
        problem('workingHours', { start: w.start, end: w.end }, 'start must be before end; working-time reminder off');
      } else {
        policy.workingHours = { days: DAYS.filter((d) => days.includes(d)), start: w.start, end: w.end };
      }
    }
  }

  if ('severity' in r && r.severity !== undefined) {
    if (!isObject(r.severity)) {
      problem('severity', r.severity, `must be an object of category → "block" | "warn" | "info" | "off", not ${typeName(r.severity)}; ignored`);
    } else {
      for (const [cat, sev] of Object.entries(r.severity)) {
        if (cats && !cats.has(cat)) problem('severity', cat, `unknown category "${cat}"; ignored`);
        else if (!SEVERITIES.includes(sev)) problem('severity', sev, `${cat}: must be "block", "warn", "info" or "off"; ignored`);
        else policy.severity[cat] = sev;
      }
    }
  }

  for (const key of ['disabledSites', 'mastodonHosts']) {
    if (!(key in r) || r[key] === undefined) continue;
    if (!Array.isArray(r[key])) {
      problem(key, r[key], `must be an array of host names, not ${typeName(r[key])}; ignored`);
      continue;
    }
    for (const v of r[key]) {
      const host = typeof v === 'string' ? v.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '') : '';
      if (key === 'disabledSites' && SITE_IDS.includes(host)) policy[key].push(host);
      else if (HOST_RE.test(host)) { if (!policy[key].includes(host)) policy[key].push(host); }
      else problem(key, v, `${JSON.stringify(v)} is not a host name${key === 'disabledSites' ? ' or site id' : ''}; dropped`);
    }
  }
  return { policy, problems };
}

/**
 * The one merge: managed ▸ user ▸ defaults. Each layer is validated separately.
 *
 * council and account type: a locked managed value wins over the user's; an unlocked one is the
 * starting choice (used until the user picks). roles and election dates set by the administrator
 * win. An invalid managed value is reported and left out, so the user's setting applies.
 *
 * @param {unknown} stored  The user's settings as read from chrome.storage.sync (`settings`).
 * @param {{councils?: Iterable<string> | null, managed?: unknown, categories?: Iterable<string> | null,
 *   customProfile?: {id?: string, error?: string} | null}} [options]
 *   councils: known profile ids (from `checker.profiles()`), to reject unknown councils;
 *   managed: the whole chrome.storage.managed area (the administrator's settings);
 *   customProfile: outcome of loading the managed customProfile in the core.
 * @returns {{settings: Settings, problems: Problem[], policy: ManagedPolicy}}  settings is always complete and valid.
 */
export function effectiveSettings(stored, { councils = null, managed = null, categories = null, customProfile = null } = {}) {
  const known = councils ? [...councils] : null;
  const admin = validateManaged(managed, { councils: known, categories, customProfile });
  const { policy } = admin;
  if (known && policy.customProfileId && !known.includes(policy.customProfileId)) known.push(policy.customProfileId);
  const user = validateSettings(stored, { councils: known, source: 'settings' });
  /** @type {Settings} */
  const settings = {
    council: DEFAULT_SETTINGS.council,
    mode: DEFAULT_SETTINGS.mode,
    roles: [...DEFAULT_SETTINGS.roles],
  };
  if (policy.council && !policy.lockCouncil) settings.council = policy.council;
  if (policy.mode && !policy.lockMode) settings.mode = policy.mode;
  for (const [k, v] of Object.entries(user.settings)) {
    if (k === 'council' && v === null && settings.council) continue; // the user has not picked: keep the council's choice
    settings[k] = Array.isArray(v) ? [...v] : v;
  }
  if (policy.council && policy.lockCouncil) settings.council = policy.council;
  if (policy.mode && policy.lockMode) settings.mode = policy.mode;
  if (policy.roles) settings.roles = [...policy.roles];
  if (policy.elections) settings.elections = [...policy.elections];
  return { settings, problems: [...admin.problems, ...user.problems], policy };
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
 * The administrator's working hours and per-category severities go to the core, which raises the
 * working-time reminder and applies the severities itself (`working_hours`, `severity`).
 * @param {Settings} settings  effective settings
 * @param {{attachments?: boolean, now?: Date, policy?: {workingHours?: {days: string[], start: string, end: string} | null, severity?: Record<string, string>}}} [draft]
 *   `policy`: the validated managed policy (effectiveSettings().policy)
 * @returns {{council: string, mode: Mode, flags: Role[], now: string, elections: string[], attachments: boolean,
 *   working_hours?: {days: string[], start: string, end: string}, severity?: Record<string, string>}}
 */
export function buildContext(settings, { attachments = false, now = new Date(), policy } = {}) {
  if (!settings.council) throw new Error('no council selected');
  /** @type {ReturnType<typeof buildContext>} */
  const ctx = {
    council: settings.council,
    mode: settings.mode,
    flags: [...settings.roles],
    now: localDateTime(now),
    elections: [...(settings.elections ?? [])],
    attachments: Boolean(attachments),
  };
  if (policy && policy.workingHours) {
    const w = policy.workingHours;
    ctx.working_hours = { days: [...w.days], start: w.start, end: w.end };
  }
  if (policy && policy.severity && Object.keys(policy.severity).length) ctx.severity = { ...policy.severity };
  return ctx;
}

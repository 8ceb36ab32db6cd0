// extension/shared/settings.js and protocol.js: pure functions, no browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SETTINGS,
  effectiveSettings,
  validateSettings,
  buildContext,
  localDateTime,
} from '../../extension/shared/settings.js';
import { checkRequest, parseRequest, failure, checkOk } from '../../extension/shared/protocol.js';

const councils = ['barnsley', 'sheffield'];

test('defaults when nothing is stored', () => {
  const { settings, problems } = effectiveSettings(undefined, { councils });
  assert.deepEqual(settings, { council: null, mode: 'personal', roles: [] });
  assert.deepEqual(problems, []);
  assert.equal(DEFAULT_SETTINGS.mode, 'personal');
});

test('valid settings pass through', () => {
  const { settings, problems } = effectiveSettings(
    { council: 'barnsley', mode: 'official', roles: ['politically_restricted'] },
    { councils },
  );
  assert.deepEqual(settings, { council: 'barnsley', mode: 'official', roles: ['politically_restricted'] });
  assert.deepEqual(problems, []);
});

test('unknown council becomes null with a reason', () => {
  const { settings, problems } = effectiveSettings({ council: 'atlantis' }, { councils });
  assert.equal(settings.council, null);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].field, 'settings.council');
  assert.match(problems[0].reason, /atlantis/);
});

test('bad mode becomes personal; unknown roles dropped; kebab-case accepted', () => {
  const { settings, problems } = effectiveSettings(
    { council: 'sheffield', mode: 'shouty', roles: ['works-with-vulnerable', 'wizard', 'works_with_vulnerable'] },
    { councils },
  );
  assert.equal(settings.mode, 'personal');
  assert.deepEqual(settings.roles, ['works_with_vulnerable']);
  assert.deepEqual(problems.map((p) => p.field).sort(), ['settings.mode', 'settings.roles']);
});

test('non-object settings fall back to defaults with a reason', () => {
  const { settings, problems } = effectiveSettings('barnsley', { councils });
  assert.deepEqual(settings, { council: null, mode: 'personal', roles: [] });
  assert.equal(problems.length, 1);
});

test('managed ▸ user ▸ defaults', () => {
  const { settings } = effectiveSettings(
    { council: 'sheffield', mode: 'official', roles: ['politically_restricted'] },
    { councils, managed: { council: 'barnsley', lockCouncil: true } },
  );
  assert.deepEqual(settings, { council: 'barnsley', mode: 'official', roles: ['politically_restricted'] });
});

test('managed: an unlocked council is the starting choice; the user\'s pick wins', () => {
  assert.equal(effectiveSettings(null, { councils, managed: { council: 'barnsley' } }).settings.council, 'barnsley');
  assert.equal(effectiveSettings({ council: null }, { councils, managed: { council: 'barnsley' } }).settings.council, 'barnsley');
  assert.equal(effectiveSettings({ council: 'sheffield' }, { councils, managed: { council: 'barnsley' } }).settings.council, 'sheffield');
  const locked = effectiveSettings({ mode: 'personal' }, { councils, managed: { accountMode: 'official', lockAccountMode: true } });
  assert.equal(locked.settings.mode, 'official');
});

test('managed: invalid values are reported by key and the user\'s settings apply', () => {
  const { settings, problems, policy } = effectiveSettings(
    { council: 'sheffield', mode: 'official', roles: [] },
    {
      councils,
      categories: ['political', 'profanity'],
      managed: {
        council: 'newtown', lockCouncil: true, accountMode: 'work', roles: ['politically-restricted', 'chief'],
        electionDates: ['2026-05-07', '2026-02-30'], severity: { political: 'off', profanity: 'loud', nope: 'warn' },
        workingHours: { days: ['mon'], start: '17:00', end: '09:00' }, disabledSites: ['x', 'not a host'], colour: 'red',
      },
    },
  );
  assert.equal(settings.council, 'sheffield');
  assert.equal(settings.mode, 'official');
  assert.deepEqual(settings.roles, ['politically_restricted']);
  assert.deepEqual(settings.elections, ['2026-05-07']);
  assert.deepEqual(policy.severity, { political: 'off' });
  assert.equal(policy.workingHours, null);
  assert.deepEqual(policy.disabledSites, ['x']);
  const fields = problems.map((p) => p.field);
  for (const k of ['council', 'accountMode', 'roles', 'electionDates', 'severity', 'workingHours', 'disabledSites', 'colour']) {
    assert.ok(fields.includes(`managed.${k}`), `no problem for ${k}: ${fields.join(', ')}`);
  }
  assert.match(problems.find((p) => p.field === 'managed.council').reason, /unknown council "newtown"/);
});

test('managed: a customProfile the core rejected is reported and its id is unknown', () => {
  const managed = { council: 'newtown', lockCouncil: true, customProfile: { id: 'newtown' } };
  const bad = effectiveSettings({ council: 'barnsley' }, { councils, managed, customProfile: { error: 'profile "newtown": clauses: missing field' } });
  assert.equal(bad.settings.council, 'barnsley');
  assert.match(bad.problems.find((p) => p.field === 'managed.customProfile').reason, /invalid profile/);
  const good = effectiveSettings({ council: 'barnsley' }, { councils, managed, customProfile: { id: 'newtown' } });
  assert.equal(good.settings.council, 'newtown');
  assert.deepEqual(good.problems, []);
});

test('managed: the legacy `settings` object is read as locked values', () => {
  const { settings } = effectiveSettings({ council: 'sheffield' }, { councils, managed: { settings: { council: 'barnsley', mode: 'official' } } });
  assert.equal(settings.council, 'barnsley');
  assert.equal(settings.mode, 'official');
});

test('validateSettings without a council list accepts any id', () => {
  assert.equal(validateSettings({ council: 'newtown' }).settings.council, 'newtown');
});

test('elections: valid dates kept, invalid dropped with reasons', () => {
  const { settings, problems } = effectiveSettings(
    { council: 'barnsley', elections: ['2026-05-07', '7 May', '2026-13-01'] },
    { councils },
  );
  assert.deepEqual(settings.elections, ['2026-05-07']);
  assert.equal(problems.length, 2);
});

test('buildContext maps settings to the core Context with the local clock', () => {
  const now = new Date(2026, 4, 1, 9, 5); // local time, 1 May 2026 09:05
  assert.equal(localDateTime(now), '2026-05-01T09:05');
  const ctx = buildContext(
    { council: 'barnsley', mode: 'personal', roles: ['politically_restricted'] },
    { attachments: true, now },
  );
  assert.deepEqual(ctx, {
    council: 'barnsley',
    mode: 'personal',
    flags: ['politically_restricted'],
    now: '2026-05-01T09:05',
    elections: [],
    attachments: true,
  });
  assert.throws(() => buildContext({ council: null, mode: 'personal', roles: [] }), /no council/);
});

test('buildContext passes the managed working hours and severities to the core', () => {
  const now = new Date(2026, 4, 1, 9, 5);
  const { policy } = effectiveSettings({ council: 'barnsley' }, {
    councils,
    categories: ['profanity', 'working-time'],
    managed: { workingHours: { days: ['fri', 'mon'], start: '09:00', end: '17:00' }, severity: { profanity: 'off', 'working-time': 'warn' } },
  });
  const ctx = buildContext({ council: 'barnsley', mode: 'personal', roles: [] }, { now, policy });
  assert.deepEqual(ctx.working_hours, { days: ['mon', 'fri'], start: '09:00', end: '17:00' });
  assert.deepEqual(ctx.severity, { profanity: 'off', 'working-time': 'warn' });
  // nothing set: the keys are absent (the core's defaults: no reminder, no overrides)
  const plain = buildContext({ council: 'barnsley', mode: 'personal', roles: [] }, { now, policy: effectiveSettings({}, { councils }).policy });
  assert.ok(!('working_hours' in plain) && !('severity' in plain), JSON.stringify(plain));
});

test('protocol constructors and request parsing', () => {
  assert.deepEqual(checkRequest('hi', 'x', true), { type: 'check', text: 'hi', site: 'x', attachments: true });
  assert.deepEqual(parseRequest({ type: 'check', text: 'hi', site: 'mastodon' }), {
    type: 'check',
    text: 'hi',
    site: 'mastodon',
    attachments: false,
  });
  assert.deepEqual(parseRequest({ type: 'profiles' }), { type: 'profiles' });
  assert.equal(typeof parseRequest({ type: 'check', text: 42 }), 'string');
  assert.equal(typeof parseRequest({ type: 'nope' }), 'string');
  assert.equal(typeof parseRequest(null), 'string');
  assert.deepEqual(failure(new Error('boom')), { ok: false, error: 'boom' });
  assert.deepEqual(checkOk({ id: 'barnsley', name: 'Barnsley MBC', extra: 1 }, []), {
    ok: true,
    council: { id: 'barnsley', name: 'Barnsley MBC' },
    findings: [],
  });
});

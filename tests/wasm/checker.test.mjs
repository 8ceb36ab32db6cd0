// The wasm build (target/wasm/, from `cargo run -p postcheck-xtask --release -- wasm target/wasm`)
// loaded in Node with initSync, exercised through the contract §4 API.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, resolve } from 'node:path';

import { effectiveSettings, buildContext, localDateTime } from '../../extension/shared/settings.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const wasmDir = resolve(root, process.env.POSTCHECK_WASM_DIR || 'target/wasm');
const gluePath = resolve(wasmDir, 'postcheck_wasm.js');
const binPath = resolve(wasmDir, 'postcheck_wasm_bg.wasm');

/** @type {typeof import('../../target/wasm/postcheck_wasm.js').Checker} */
let Checker;
/** @type {InstanceType<typeof Checker>} */
let checker;
/** The glue module (its other exports, e.g. CheckContext). */
let glueModule;

before(async () => {
  assert.ok(existsSync(gluePath) && existsSync(binPath), `build the wasm first: ${gluePath}`);
  const glue = await import(pathToFileURL(gluePath).href);
  glue.initSync({ module: readFileSync(binPath) });
  Checker = glue.Checker;
  glueModule = glue;
  checker = new Checker();
});

const COUNCILS = ['barnsley', 'caerphilly', 'chelmsford', 'shaftesbury', 'sheffield'];

test('profiles() lists the five councils as plain objects', () => {
  const profiles = checker.profiles();
  assert.ok(Array.isArray(profiles));
  assert.deepEqual(profiles.map((p) => p.id).sort(), COUNCILS);
  for (const p of profiles) {
    assert.equal(Object.getPrototypeOf(p), Object.prototype, 'plain object, not a Map');
    assert.deepEqual(Object.keys(p).sort(), ['document', 'id', 'language', 'name', 'note']);
    assert.equal(typeof p.name, 'string');
    assert.equal(typeof p.document, 'string');
    assert.ok(['en', 'cy'].includes(p.language));
    assert.ok(p.note === null || typeof p.note === 'string');
  }
  assert.equal(profiles.find((p) => p.id === 'barnsley').name, 'Barnsley MBC');
});

test('Barnsley personal: confidential information cites 4.4, spans in UTF-16 units', () => {
  const draft = "between us the Hoyland depot is closing, don't tell anyone";
  // Astral-plane emoji (2 UTF-16 units, 4 UTF-8 bytes) and an accented letter before the trigger.
  const prefix = '🤫 Café news: ';
  const text = prefix + draft;
  const findings = checker.check(text, { council: 'barnsley', mode: 'personal' });
  assert.ok(Array.isArray(findings));
  const conf = findings.filter((f) => f.category === 'confidential-info');
  assert.ok(conf.length >= 1, `expected a confidential-info finding, got ${JSON.stringify(findings)}`);

  for (const f of conf) {
    assert.equal(Object.getPrototypeOf(f), Object.prototype);
    assert.equal(f.title, 'Confidential information');
    assert.ok(['block', 'warn', 'info'].includes(f.severity));
    assert.ok(Array.isArray(f.clauses) && f.clauses.length >= 1);
    assert.equal(typeof f.message, 'string');
    assert.ok(Number.isInteger(f.start) && Number.isInteger(f.end));
    assert.ok(f.start >= prefix.length, 'the trigger lies after the prefix');
    assert.ok(f.end > f.start && f.end <= text.length);
  }
  const refs = conf.flatMap((f) => f.clauses.map((c) => c.reference));
  assert.ok(
    refs.includes('Barnsley MBC Social Networking Policy 4.4'),
    `clause references: ${JSON.stringify(refs)}`,
  );
  const clause = conf.flatMap((f) => f.clauses).find((c) => c.clause === '4.4');
  assert.equal(clause.council, 'barnsley');
  assert.equal(clause.document, 'Barnsley MBC Social Networking Policy');
  assert.ok(clause.quote.length > 20);

  // The spans slice the trigger words out of the JS string (UTF-16 code units).
  const triggers = conf.map((f) => text.slice(f.start, f.end).toLowerCase());
  assert.ok(
    triggers.some((t) => t.includes('between us') || t.includes("don't tell anyone")),
    `sliced triggers: ${JSON.stringify(triggers)}`,
  );
  for (const t of triggers) assert.ok(draft.toLowerCase().includes(t), `"${t}" is part of the draft`);

  // Same findings, shifted by exactly the prefix's UTF-16 length, without the prefix.
  const plain = checker.check(draft, { council: 'barnsley', mode: 'personal' });
  const plainConf = plain.filter((f) => f.category === 'confidential-info');
  assert.deepEqual(
    plainConf.map((f) => [f.start + prefix.length, f.end + prefix.length]),
    conf.map((f) => [f.start, f.end]),
  );
});

test('findings are sorted by start', () => {
  const text = "shit day, between us the Hoyland depot is closing, don't tell anyone. Call 07700 900123";
  const findings = checker.check(text, { council: 'barnsley', mode: 'personal' });
  // not vacuous: several findings, of several categories, to order
  assert.ok(findings.length >= 3 && new Set(findings.map((f) => f.category)).size >= 3, JSON.stringify(findings));
  for (let i = 1; i < findings.length; i++) {
    assert.ok(findings[i - 1].start <= findings[i].start);
  }
});

test('a clean draft gives []', () => {
  for (const council of COUNCILS) {
    const findings = checker.check('Lovely walk along the canal this morning with the dog.', {
      council,
      mode: 'personal',
      now: '2026-05-02T10:30',
      attachments: false,
    });
    assert.deepEqual(findings, [], `${council}: ${JSON.stringify(findings)}`);
  }
});

test('the full context shape is accepted', () => {
  const findings = checker.check('Lovely walk along the canal this morning.', {
    council: 'chelmsford',
    mode: 'official',
    flags: ['politically_restricted', 'works-with-vulnerable'],
    now: '2026-05-01T12:00',
    elections: ['2026-05-07'],
    attachments: false,
  });
  // accepted, and the clean draft stays clean in every part of it (official, restricted, in the window)
  assert.deepEqual(findings, []);
  // the same shape is read, not ignored: with an attachment, Chelmsford raises images
  const withImage = checker.check('Lovely walk along the canal this morning.', {
    council: 'chelmsford', mode: 'official', flags: ['politically_restricted', 'works-with-vulnerable'],
    now: '2026-05-01T12:00', elections: ['2026-05-07'], attachments: true,
  });
  assert.deepEqual(withImage.map((f) => f.category), ['images']);
});

test('an unknown council throws an Error naming it', () => {
  assert.throws(
    () => checker.check('hello', { council: 'atlantis', mode: 'personal' }),
    (e) => e instanceof Error && /atlantis/.test(e.message),
  );
});

test('a malformed context throws an Error', () => {
  assert.throws(() => checker.check('hello', { mode: 'personal' }), (e) => e instanceof Error && /council/.test(e.message));
  assert.throws(() => checker.check('hello', 'barnsley'), Error);
});

test('addProfile with a broken profile throws an Error naming the field', () => {
  const good = JSON.parse(readFileSync(resolve(root, 'crate/profiles/barnsley.json'), 'utf8'));

  const noDocument = structuredClone(good);
  noDocument.id = 'testshire';
  delete noDocument.document;
  assert.throws(
    () => checker.addProfile(JSON.stringify(noDocument)),
    (e) => e instanceof Error && /document/.test(e.message),
  );

  const unknownClause = structuredClone(good);
  unknownClause.id = 'testshire';
  unknownClause.categories['confidential-info'].grounds[0].clauses = ['99.99'];
  assert.throws(
    () => checker.addProfile(JSON.stringify(unknownClause)),
    (e) => e instanceof Error && /99\.99/.test(e.message),
  );

  assert.throws(() => checker.addProfile('{"id": "x", '), Error);
});

// Contract §4: the message names the field, also for a wrongly typed one (serde alone gives line/column).
test('addProfile with a wrongly typed field names the field', () => {
  const base = JSON.parse(readFileSync(resolve(root, 'crate/profiles/barnsley.json'), 'utf8'));
  base.id = 'testshire';
  const cases = [
    [(p) => { p.clauses = 'not a list'; }, /: clauses: invalid type/],
    [(p) => { p.categories.bullying.grounds[0].clauses = '4.2'; }, /: categories\.bullying\.grounds\[0\]: invalid type/],
    [(p) => { p.rules = [{ id: 't.x', category: 'bullying', patterns: 'x', message: 'm' }]; }, /: rules\[0\]\.patterns: invalid type/],
    [(p) => { p.exceptions = ['ok', 42]; }, /: exceptions\[1\]: /],
  ];
  for (const [mutate, re] of cases) {
    const bad = structuredClone(base);
    mutate(bad);
    assert.throws(
      () => checker.addProfile(JSON.stringify(bad)),
      (e) => e instanceof Error && re.test(e.message) && !/line \d+ column/.test(e.message),
    );
  }
});

test('a council profile with its own rule and an exception, and working hours and severity in the context', () => {
  const p = JSON.parse(readFileSync(resolve(root, 'crate/profiles/barnsley.json'), 'utf8'));
  p.id = 'rulesville';
  p.rules = [{
    id: 'rulesville.codename', category: 'confidential-info', patterns: ['project nightjar'],
    message: '“{match}” is an internal codename.', examples: { fire: ['project nightjar slips'], quiet: ['nightjars sing'] },
  }];
  p.exceptions = [{ text: 'Dickhead Lane', categories: ['profanity'] }];
  const c = new Checker();
  assert.equal(c.addProfile(JSON.stringify(p)), 'rulesville');
  const text = 'Project Nightjar meets on Dickhead Lane';
  const f = c.check(text, { council: 'rulesville' });
  assert.deepEqual(f.map((x) => x.rule), ['rulesville.codename']);
  assert.equal(text.slice(f[0].start, f[0].end), 'Project Nightjar');
  assert.ok(c.check(text, { council: 'barnsley' }).some((x) => x.category === 'profanity'));
  // a failing example is a load error naming the rule and field
  p.rules[0].examples.fire = ['nothing here'];
  assert.throws(() => c.addProfile(JSON.stringify(p)), /rules\[0\]\.examples\.fire\[0\]: rule "rulesville\.codename" does not fire/);

  const ctx = { council: 'barnsley', now: '2026-05-01T10:00', working_hours: { days: ['fri'], start: '09:00', end: '17:00' } };
  const w = c.check('hello all', ctx).filter((x) => x.category === 'working-time');
  assert.equal(w.length, 1);
  assert.deepEqual([w[0].start, w[0].end, w[0].severity], [0, 0, 'info']);
  assert.equal(c.check('hello all', { ...ctx, severity: { 'working-time': 'off' } }).length, 0);
  assert.equal(c.check('hello all', { ...ctx, severity: { 'working-time': 'block' } })[0].severity, 'block');
  assert.throws(() => c.check('hello', { ...ctx, severity: { profanity: 'loud' } }), /invalid context/);
});

test('a profile pattern outside the pattern syntax is refused in the wasm (no regex parser in it), naming the rule, field and position', () => {
  const p = JSON.parse(readFileSync(resolve(root, 'crate/profiles/barnsley.json'), 'utf8'));
  p.id = 'rulesville';
  const rule = {
    id: 'rulesville.codename', category: 'confidential-info', patterns: ['project nightjar'],
    message: '“{match}” is an internal codename.', examples: { fire: ['project nightjar slips'], quiet: ['nightjars sing'] },
  };
  const c = new Checker();
  for (const [field, set, where] of [
    ['patterns[1]', (r) => { r.patterns = ['project nightjar', 'night(?i)jar']; }, 'at character 6 ("(?i)jar")'],
    ['unless_near.patterns[0]', (r) => { r.unless_near = { patterns: ['[[:digit:]]'], within: 4 }; }, 'at character 2 ("[:digit:]]")'],
    ['except[0]', (r) => { r.except = ['night(jar']; }, 'at its end'],
  ]) {
    const r = structuredClone(rule);
    set(r);
    p.rules = [r];
    assert.throws(
      () => c.addProfile(JSON.stringify(p)),
      (e) => e instanceof Error && e.message.includes(`rules[0].${field}: bad pattern: not in the pattern syntax postcheck supports ${where}`),
      field,
    );
  }
  // nothing was added, and the built-in profiles still check
  assert.ok(!c.profiles().some((x) => x.id === 'rulesville'));
  assert.ok(c.check('what a shit day', { council: 'barnsley' }).some((x) => x.category === 'profanity'));
});

test('addProfile with a valid profile returns its id and makes it checkable', () => {
  const p = JSON.parse(readFileSync(resolve(root, 'crate/profiles/barnsley.json'), 'utf8'));
  p.id = 'testshire';
  p.name = 'Testshire DC';
  const c = new Checker();
  assert.equal(c.addProfile(JSON.stringify(p)), 'testshire');
  assert.ok(c.profiles().some((x) => x.id === 'testshire' && x.name === 'Testshire DC'));
  const findings = c.check("between us the depot is closing, don't tell anyone", { council: 'testshire' });
  assert.ok(findings.some((f) => f.category === 'confidential-info'));
  c.free();
});

test('the stance model ships in the wasm build: a draft the rules miss gets a model finding citing the council', () => {
  // No rule fires on this draft (checked natively with POSTCHECK_STANCE_MODEL=0); the model reads it as talk
  // about someone the author serves (Sheffield grounds service-users in personal mode).
  const prefix = '🧓 ';
  const text = prefix + 'Had a lovely afternoon with the lady from the day centre, she told me all about her late husband and her carers';
  const findings = checker.check(text, { council: 'sheffield', mode: 'personal' });
  const model = findings.filter((f) => f.rule.startsWith('model.'));
  assert.equal(model.length, 1, `expected one model finding, got ${JSON.stringify(findings)}`);
  const f = model[0];
  assert.equal(f.rule, 'model.service-users');
  assert.equal(f.category, 'service-users');
  assert.notEqual(f.severity, 'block', 'the model never blocks');
  assert.ok(f.clauses.length >= 1 && f.clauses.every((c) => c.council === 'sheffield' && c.quote.length > 0));
  // span in UTF-16 code units, after the astral emoji, on words of the draft
  assert.ok(f.start >= prefix.length && f.end > f.start && f.end <= text.length, JSON.stringify(f));
  assert.match(text.slice(f.start, f.end), /^[A-Za-z ]+$/);
  // the message names the words that weigh most, quoted from the draft
  const quoted = [...f.message.matchAll(/“([^”]+)”/g)].map((m) => m[1]);
  assert.ok(quoted.length >= 1 && quoted.every((w) => text.toLowerCase().includes(w.toLowerCase())), f.message);
});

// ---- CheckContext + checkIn: the context converted once, attachments and now passed per check ----

/** `{...ctx}` without `attachments` and `now`: the settings-derived part a CheckContext holds. */
const settingsPart = ({ attachments, now, ...rest }) => rest;

test('checkIn gives exactly what check gives, on the corpus drafts, for attachments, now, working hours and severity', () => {
  const { CheckContext } = glueModule;
  const lines = readFileSync(resolve(root, 'crate/tests/data/own.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const extra = { working_hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }, severity: { profanity: 'block', images: 'off' } };
  let compared = 0;
  let attachmentsMatter = 0;
  let nowMatters = 0;
  let extraMatters = 0;
  for (const [i, line] of lines.entries()) {
    const base = { council: line.council, mode: line.mode, flags: line.flags, elections: line.elections };
    const withExtra = i % 3 === 0 ? { ...base, ...extra } : base;
    // the handle is made from a context that carries other attachments/now: checkIn's must win
    const prepared = new CheckContext({ ...withExtra, attachments: !line.attachments, now: '2030-01-01T03:00' });
    const runs = [];
    for (const attachments of [line.attachments, !line.attachments]) {
      for (const now of [line.now, '2026-05-01T12:00', undefined]) {
        const ctx = { ...withExtra, attachments };
        if (now !== undefined) ctx.now = now;
        const want = checker.check(line.text, ctx);
        const got = checker.checkIn(line.text, prepared, attachments, now);
        assert.deepEqual(got, want, `${line.id} attachments=${attachments} now=${now}`);
        runs.push(JSON.stringify(want));
        compared += 1;
      }
    }
    if (runs[0] !== runs[3]) attachmentsMatter += 1;
    if (runs[0] !== runs[2] || runs[1] !== runs[2]) nowMatters += 1;
    if (withExtra !== base && JSON.stringify(checker.check(line.text, { ...base, attachments: line.attachments, now: line.now })) !== runs[0]) extraMatters += 1;
  }
  // the comparison is not vacuous: each per-check part and the settings part change some results
  assert.ok(compared >= 6 * 100, `compared ${compared}`);
  assert.ok(attachmentsMatter > 0 && nowMatters > 0 && extraMatters > 0, JSON.stringify({ attachmentsMatter, nowMatters, extraMatters }));
});

test('one CheckContext serves many checks and checkers; results are fresh objects', () => {
  const { CheckContext } = glueModule;
  const ctx = { council: 'barnsley', mode: 'personal', flags: ['politically_restricted'], elections: ['2026-05-07'] };
  const prepared = new CheckContext(ctx);
  const other = new Checker();
  const text = 'Vote Labour on Thursday! Here is a photo of the depot';
  const a = checker.checkIn(text, prepared, true, '2026-05-01T12:00');
  assert.ok(a.some((f) => f.category === 'images'), JSON.stringify(a.map((f) => f.category)));
  assert.deepEqual(a, checker.check(text, { ...ctx, attachments: true, now: '2026-05-01T12:00' }));
  const b = checker.checkIn(text, prepared, false, undefined);
  assert.deepEqual(b, checker.check(text, ctx));
  assert.ok(!b.some((f) => f.category === 'images'));
  a[0].clauses[0].quote = 'edited';
  assert.deepEqual(other.checkIn(text, prepared, true, '2026-05-01T12:00'), checker.check(text, { ...ctx, attachments: true, now: '2026-05-01T12:00' }));
  assert.deepEqual(checker.checkIn(text, prepared, false, null), b, 'null now = no clock');
  other.free();
});

test('CheckContext and checkIn throw the Errors check throws for the same context', () => {
  const { CheckContext } = glueModule;
  const messageOf = (fn) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof Error, String(e));
      return e.message;
    }
    assert.fail('expected a throw');
  };
  for (const bad of [
    { mode: 'personal' },
    { council: 'barnsley', mode: 'sideways' },
    { council: 'barnsley', flags: ['nope'] },
    { council: 'barnsley', elections: ['2026-13-01'] },
    { council: 'barnsley', working_hours: { days: ['mon'], start: '17:00', end: '09:00' } },
    { council: 'barnsley', severity: { profanity: 'loud' } },
    'barnsley',
  ]) {
    const want = messageOf(() => checker.check('hello', bad));
    assert.match(want, /invalid context/);
    assert.equal(messageOf(() => new CheckContext(bad)), want, JSON.stringify(bad));
  }
  // a malformed `now`: the same message as check's for that now
  const prepared = new CheckContext({ council: 'barnsley' });
  for (const now of ['2026-05-01', '2026-02-30T10:00', '2026-05-01T24:00', 'soon']) {
    const want = messageOf(() => checker.check('hello', { council: 'barnsley', now }));
    assert.equal(messageOf(() => checker.checkIn('hello', prepared, false, now)), want, now);
  }
  // an unknown council: reported at check time, as check reports it
  const atlantis = new CheckContext({ council: 'atlantis' });
  assert.equal(messageOf(() => checker.checkIn('hello', atlantis, false, undefined)), messageOf(() => checker.check('hello', { council: 'atlantis' })));
  assert.match(messageOf(() => checker.checkIn('hello', atlantis, false, undefined)), /atlantis/);
  // after a failed checkIn the handle still checks correctly
  assert.deepEqual(checker.checkIn('hello', prepared, false, '2026-05-01T12:00'), checker.check('hello', { council: 'barnsley', now: '2026-05-01T12:00' }));
});

test('the background\'s per-check path (buildContext once → CheckContext; checkIn with attachments and the clock) equals check(buildContext(…))', () => {
  // what extension/background/service-worker.js does in handleCheck, against what it did before
  const { CheckContext } = glueModule;
  const councils = COUNCILS;
  const cases = [
    [{ council: 'barnsley', mode: 'personal', roles: ['politically_restricted'], elections: ['2026-05-07'] }, null],
    [{ council: 'sheffield', mode: 'official', roles: [] }, { workingHours: { days: ['fri', 'mon'], start: '09:00', end: '17:00' }, severity: { profanity: 'block', images: 'warn' } }],
    [{ council: 'chelmsford', mode: 'personal', roles: ['works_with_vulnerable'], elections: ['2026-05-21'] }, { council: 'chelmsford', lockCouncil: true, severity: { 'working-time': 'warn' }, workingHours: { days: ['fri'], start: '08:00', end: '18:00' } }],
  ];
  const texts = ['', 'hello all', "between us the depot is closing, don't tell anyone", 'What a load of crap from the council today, vote them out on Thursday', 'Lovely walk along the canal this morning with the dog.'];
  const clocks = [new Date(2026, 4, 1, 12, 0), new Date(2026, 4, 2, 23, 59), new Date(2025, 0, 6, 8, 30)];
  let differ = 0;
  for (const [stored, managed] of cases) {
    const { settings, policy, problems } = effectiveSettings(stored, { councils, managed, categories: ['profanity', 'images', 'working-time'] });
    assert.deepEqual(problems, [], JSON.stringify(problems));
    const prepared = new CheckContext(buildContext(settings, { policy }));
    for (const text of texts) {
      for (const attachments of [true, false, undefined]) {
        for (const now of clocks) {
          const want = checker.check(text, buildContext(settings, { attachments, now, policy }));
          assert.deepEqual(checker.checkIn(text, prepared, Boolean(attachments), localDateTime(now)), want, `${settings.council} ${text} ${attachments} ${now}`);
          if (JSON.stringify(want) !== JSON.stringify(checker.check(text, { council: settings.council }))) differ += 1;
        }
      }
    }
  }
  assert.ok(differ > 0, 'the contexts change some results');
});

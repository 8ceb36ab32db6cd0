// Unit tests of the submit guard (extension/content/guard.js) with a stub checker client and UI:
// the decisions that keep the user's promise — a clean draft posts at once, a breaching one is
// held, and the user can always post (even when the check cannot run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Guard, Compositions } from '../../extension/content/guard.js';

const BREACH = { ok: true, council: { id: 'barnsley' }, findings: [{ severity: 'warn', category: 'confidential-info' }] };
const CLEAN = { ok: true, council: { id: 'barnsley' }, findings: [] };
const FAILED = { ok: false, council: null, findings: [], error: 'extension context invalidated' };

/** A page with one composer and a Post button whose click goes through the guard, as the capture listener does. */
function page({ text, cached, fresh, composing = () => false }) {
  const posted = [];
  const checks = [];
  const ui = {
    warningOpen: false,
    opened: [],
    openWarning(data, handlers) { this.warningOpen = true; this.opened.push({ data, handlers }); },
  };
  const composer = { isConnected: true };
  const control = {
    isConnected: true,
    getAttribute: () => null,
    click() { site.click(); },
  };
  const client = {
    cached: () => cached,
    // Answers arrive asynchronously, like a runtime message; after 5 checks the stub stops
    // answering, so a guard that loops fails the test instead of hanging it.
    check: (t) => {
      checks.push(t);
      const answer = typeof fresh === 'function' ? fresh(t) : fresh;
      return checks.length > 5 ? new Promise(() => {}) : new Promise((r) => setTimeout(() => r(answer), 1));
    },
  };
  const guard = new Guard({
    client, ui,
    snapshot: (el) => ({ text, attachments: false, composing: composing(el) }),
    afterSubmit: () => {},
    submitFor: () => control,
    caveatFor: () => null,
    restoreFocus: () => {},
  });
  const action = { kind: 'click', composers: [composer], control, form: null, keyInit: null };
  const site = {
    // A click: the guard decides first (capture phase); the site's handler runs unless cancelled.
    click() {
      let cancelled = false;
      const event = { preventDefault() { cancelled = true; }, stopImmediatePropagation() {} };
      guard.decide(event, action);
      if (!cancelled) posted.push(text);
    },
  };
  return { site, posted, checks, ui, composer, type(t) { text = t; } };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

test('a clean draft with a current check posts on the first click', () => {
  const p = page({ text: 'Lovely morning for the Penistone 10k', cached: CLEAN });
  p.site.click();
  assert.deepEqual(p.posted, ['Lovely morning for the Penistone 10k']);
  assert.equal(p.ui.opened.length, 0);
});

test('a breaching draft is held with the warning and the site handler does not run', () => {
  const p = page({ text: 'between us the depot is closing', cached: BREACH });
  p.site.click();
  assert.deepEqual(p.posted, []);
  assert.equal(p.ui.opened.length, 1);
});

test('Post anyway posts the exact text once; a second click warns again', async () => {
  const p = page({ text: 'between us the depot is closing', cached: BREACH });
  p.site.click();
  p.ui.warningOpen = false;
  p.ui.opened[0].handlers.onPostAnyway();
  assert.deepEqual(p.posted, ['between us the depot is closing']);
  await settle();
  p.site.click();
  assert.deepEqual(p.posted, ['between us the depot is closing'], 'the acknowledgement is one-shot');
  assert.equal(p.ui.opened.length, 2);
});

test('a stale check is re-run; clean → the post goes through once, with one check', async () => {
  const p = page({ text: 'see you at the fun run', cached: null, fresh: CLEAN });
  p.site.click();
  assert.deepEqual(p.posted, [], 'held while the fresh check runs');
  await settle();
  assert.deepEqual(p.posted, ['see you at the fun run']);
  assert.equal(p.checks.length, 1);
});

test('when the check cannot run, the post goes through (fail open) instead of looping', async () => {
  const p = page({ text: 'between us the depot is closing', cached: null, fresh: FAILED });
  p.site.click();
  await settle();
  assert.deepEqual(p.posted, ['between us the depot is closing']);
  assert.equal(p.checks.length, 1, 'the re-issued click is not checked again');
  assert.equal(p.ui.opened.length, 0);
});

// A Post clicked while the fresh check runs, and the text changes under it (the user kept typing,
// the site auto-completed a mention): the click is never swallowed — the new text is checked and
// then posted or warned about.
test('text changed during the fresh check at Post: the new text is checked, then warned about', async () => {
  const p = page({ text: 'see you at the fun run', cached: null, fresh: (t) => (t.includes('between us') ? BREACH : CLEAN) });
  p.site.click();
  p.type('see you at the fun run, between us the depot is closing');
  await settle();
  assert.deepEqual(p.checks, ['see you at the fun run', 'see you at the fun run, between us the depot is closing']);
  assert.equal(p.ui.opened.length, 1, 'the warning for the new text');
  assert.equal(p.ui.opened[0].data.findings[0].text, 'see you at the fun run, between us the depot is closing');
  assert.deepEqual(p.posted, []);
});

test('text changed during the fresh check at Post: clean new text is posted once', async () => {
  const p = page({ text: 'between us the depot is closing', cached: null, fresh: (t) => (t.includes('between us') ? BREACH : CLEAN) });
  p.site.click();
  p.type('see you at the fun run');
  await settle();
  assert.deepEqual(p.checks, ['between us the depot is closing', 'see you at the fun run']);
  assert.equal(p.ui.opened.length, 0);
  assert.deepEqual(p.posted, ['see you at the fun run']);
});

// IME composition state (main.js feeds it from composition/focus/input events). A composition
// whose compositionend never reaches the composer (focus moved mid-composition, the editor
// re-rendered the node) must not leave the composer "composing" — the guard never holds while
// composing, so Post would never be checked again.
test('compositionend anywhere ends the composition of every composer', () => {
  const c = new Compositions();
  const a = {}; const b = {};
  c.start(a); c.start(b);
  assert.ok(c.has(a) && c.has(b));
  assert.deepEqual(c.end(), [a, b], 'the composers whose composition ended');
  assert.ok(!c.has(a) && !c.has(b));
});

test('blur and the next non-composing input end a composer\'s composition', () => {
  const c = new Compositions();
  const a = {}; const b = {};
  c.start(a); c.start(b);
  assert.equal(c.input(a, true), false, 'an input during composition keeps it');
  assert.ok(c.has(a));
  assert.equal(c.input(a, false), true);
  assert.ok(!c.has(a));
  assert.equal(c.blur(b), true);
  assert.ok(!c.has(b));
  assert.equal(c.blur(b), false, 'nothing to end');
});

test('a composition missed by compositionend no longer lets a breaching draft through Post', () => {
  const c = new Compositions();
  const p = page({ text: 'between us the depot is closing', cached: BREACH, composing: (el) => c.has(el) });
  c.start(p.composer);
  p.site.click();
  assert.deepEqual(p.posted, ['between us the depot is closing'], 'mid-composition the guard stands aside');
  p.posted.length = 0;
  c.end(); // compositionend at another element
  p.site.click();
  assert.deepEqual(p.posted, []);
  assert.equal(p.ui.opened.length, 1);
});

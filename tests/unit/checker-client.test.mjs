// Unit tests of the content script's checker client (extension/content/checker-client.js) against a
// stub chrome.runtime.sendMessage (the background's side of contract §5): the answer cache's
// time-to-live (clock-dependent findings must not be served stale) and LatestCheck's coalescing on
// the typing path (one request in flight per composer, the latest text wins, stale answers dropped).
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { CheckerClient, LatestCheck, CACHE_TTL_MS, WARM_AFTER_MS } from '../../extension/content/checker-client.js';

/** Requests the stub background received, each answered when the test says so. */
let requests;
beforeEach(() => {
  const mine = (requests = []); // a request still in flight from an earlier test lands in its own list
  globalThis.chrome = {
    runtime: {
      sendMessage: (req) => new Promise((resolve) => {
        mine.push({
          text: req.text,
          // The background's answer: a finding on "between us" if present, else none.
          answer() {
            const i = req.text.indexOf('between us');
            const findings = i < 0 ? [] : [{ rule: 'confidential', category: 'confidential-info', severity: 'warn', start: i, end: i + 10 }];
            resolve({ ok: true, council: { id: 'barnsley', name: 'Barnsley MBC' }, findings });
          },
        });
      }),
    },
  };
});

const tick = () => new Promise((r) => setTimeout(r, 0));
/** Waits (up to 2 s) until `fn()` is true. */
async function until(fn, what) {
  const deadline = Date.now() + 2000;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick();
  }
}
/**
 * Answer the requests in order until `n` have been answered in all; then wait until the client has
 * settled: `settled()` true (default: a few turns of the event loop, for a test that expects nothing more).
 */
async function answerUpTo(n, settled = null) {
  for (let i = 0; i < n; i++) {
    await until(() => requests[i], `request ${i + 1}`);
    if (!requests[i].answered) { requests[i].answered = true; requests[i].answer(); }
  }
  if (settled) await until(settled, 'the client to settle');
  else for (let i = 0; i < 20; i++) await tick();
}

test('a cached answer is served for 60 s, then the same text is checked again', async () => {
  let now = 1_000_000;
  const client = new CheckerClient('x', { now: () => now });
  const first = client.check('between us the depot is closing', false);
  await answerUpTo(1, () => client.cached('between us the depot is closing', false));
  const r = await first;
  assert.equal(r.findings.length, 1);
  now += CACHE_TTL_MS - 1;
  assert.equal(client.cached('between us the depot is closing', false), r, 'served within the TTL');
  assert.equal(await client.check('between us the depot is closing', false), r);
  assert.equal(requests.length, 1, 'no request within the TTL');
  now += 2;
  assert.equal(client.cached('between us the depot is closing', false), undefined, 'expired');
  assert.equal(client.cached('between us the depot is closing', false, { stale: true }), r, 'still there for what is on screen');
  const again = client.check('between us the depot is closing', false);
  await answerUpTo(2);
  assert.equal((await again).findings.length, 1);
  assert.equal(requests.length, 2, 'checked again after the TTL');
  assert.equal(CACHE_TTL_MS, 60_000);
});

test('typing: one request in flight per composer, the latest text wins, the stale answer is dropped', async () => {
  const client = new CheckerClient('x');
  const shown = [];
  const checks = new LatestCheck(client, (result) => shown.push(result.text));
  const draft = 'see you, between us';
  for (let i = 1; i <= draft.length; i++) checks.want(draft.slice(0, i), false); // keystrokes, no answer yet
  assert.deepEqual(requests.map((q) => q.text), ['s'], 'one request while the first is out');
  await answerUpTo(1, () => requests.length === 2); // 's' answers: no longer wanted → dropped; the latest text is asked for
  assert.deepEqual(requests.map((q) => q.text), ['s', draft]);
  assert.deepEqual(shown, [], 'the stale answer was not shown');
  await answerUpTo(2, () => shown.length === 1);
  assert.deepEqual(shown, [draft]);
  assert.equal(client.cached(draft, false).findings.length, 1);
});

test('typing: an answer computed under old settings is dropped and the text asked for again', async () => {
  const client = new CheckerClient('x');
  const shown = [];
  const checks = new LatestCheck(client, (result) => shown.push(result));
  checks.want('between us', false);
  client.invalidate(); // settings changed while the request was out
  checks.want('between us', false);
  await answerUpTo(1, () => requests.length === 2);
  assert.equal(shown.length, 0, 'the answer under the old settings is not shown');
  await answerUpTo(2, () => shown.length === 1);
  assert.equal(requests.length, 2);
  assert.equal(shown[0].generation, client.generation);
});

test('cancel: an answer in flight is dropped (switched off, composer gone)', async () => {
  const client = new CheckerClient('x');
  const shown = [];
  const checks = new LatestCheck(client, (result) => shown.push(result));
  checks.want('between us', false);
  checks.cancel();
  await answerUpTo(1);
  assert.deepEqual(shown, []);
  assert.equal(requests.length, 1);
});

test('typing: a finding that comes back with every answer is hashed once (dismissals still apply)', async () => {
  const subtle = globalThis.crypto.subtle;
  const digest = subtle.digest;
  let digests = 0;
  subtle.digest = function (...args) { digests++; return digest.apply(this, args); };
  try {
    const client = new CheckerClient('x');
    const texts = ['between us the depot', 'between us the depot is', 'between us the depot is closing'];
    const results = [];
    for (const [i, t] of texts.entries()) {
      const p = client.check(t, false);
      await answerUpTo(i + 1, () => client.cached(t, false));
      results.push(await p);
    }
    assert.equal(digests, 1, 'one SHA-256 for the one finding ("between us") over three answers');
    const hash = results[0].findings[0].hash;
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.ok(results.every((r) => r.findings[0].hash === hash));
    client.setDismissed([hash]);
    const p = client.check('between us the depot is closing now', false);
    await answerUpTo(4, () => client.cached('between us the depot is closing now', false));
    assert.deepEqual((await p).findings, [], 'the dismissed finding is left out');
  } finally {
    subtle.digest = digest;
  }
});

test('focus wakes a background that has been silent for 20 s, once; not one that just answered', async () => {
  let now = 5_000_000;
  const client = new CheckerClient('x', { now: () => now });
  assert.equal(client.warm(), true, 'never answered: wake it');
  assert.equal(client.warm(), false, 'one wake-up at a time');
  await answerUpTo(1, () => client.answeredAt === now);
  assert.equal(requests[0].text, '', 'the wake-up checks the empty draft');
  now += WARM_AFTER_MS - 1;
  assert.equal(client.warm(), false, 'answered less than 20 s ago');
  const p = client.check('see you at the fun run', false);
  await answerUpTo(2, () => client.cached('see you at the fun run', false));
  await p;
  now += WARM_AFTER_MS - 1;
  assert.equal(client.warm(), false, 'a check answered meanwhile keeps it warm');
  now += 2;
  assert.equal(client.warm(), true);
  assert.equal(requests.length, 3);
  assert.equal(client.cached('', false), undefined, 'a wake-up is not cached');
});

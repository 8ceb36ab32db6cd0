// Issue 6: the content script uses no polling timers while typing. Static check of its sources
// (extension/content) and, when built, of the shipped bundle (dist/chrome/content.js): no
// setInterval at all, and every setTimeout is one of the listed one-shots (a new one must be
// justified here: nothing may re-arm itself to watch the page).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = path.join(ROOT, 'extension/content');

// file → number of setTimeout calls, each a one-shot:
const ONE_SHOTS = {
  'checker-client.js': 2, // retry once after a transient messaging error; re-ask (≤ 3 s) while the background catches up with new settings
  'guard.js': 2, // the fresh-check deadline at Post; the end of the task in which a submission passes
  'main.js': 3, // two re-reads after a submission went through (a textarea cleared by script fires no event); the end of a pause
};

test('the content script has no setInterval and only the listed one-shot setTimeouts', () => {
  const counts = {};
  for (const f of readdirSync(DIR).filter((f) => f.endsWith('.js'))) {
    const src = readFileSync(path.join(DIR, f), 'utf8');
    assert.doesNotMatch(src, /\bsetInterval\s*\(/, `${f} uses setInterval`);
    const n = (src.match(/\bsetTimeout\s*\(/g) || []).length;
    if (n) counts[f] = n;
  }
  assert.deepEqual(counts, ONE_SHOTS);
});

test('the built content.js has no setInterval', { skip: !existsSync(path.join(ROOT, 'dist/chrome/content.js')) && 'not built' }, () => {
  const src = readFileSync(path.join(ROOT, 'dist/chrome/content.js'), 'utf8');
  assert.doesNotMatch(src, /\bsetInterval\s*\(/);
  assert.doesNotMatch(src, /postcheck-bench|POSTCHECK_BENCH/, 'bench-only code in the shipped bundle');
});

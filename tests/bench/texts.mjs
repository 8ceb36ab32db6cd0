// Bench texts, the same as crate/benches/common/mod.rs builds for the native benches:
// the drafts of crate/tests/data/own.jsonl in file order, joined with "\n" (cycling), cut to
// exactly `len` UTF-16 code units (String.length; a character that would straddle the limit is
// replaced by spaces). Corpus-like text, not random.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const LENGTHS = [280, 2000, 10000, 63206];

export function drafts() {
  return readFileSync(resolve(root, 'crate/tests/data/own.jsonl'), 'utf8')
    .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l).text);
}

export function textOfLen(ds, len) {
  let out = '';
  let n = 0;
  outer: for (;;) {
    for (let i = 0; i < ds.length; i++) {
      const piece = (n === 0 && i === 0 ? '' : '\n') + ds[i];
      for (const ch of piece) {
        if (n + ch.length > len) break outer;
        out += ch;
        n += ch.length;
      }
    }
  }
  return out + ' '.repeat(len - n);
}

// the context of the native benches: Barnsley, personal, politically restricted, election ahead
export const CONTEXT = { council: 'barnsley', mode: 'personal', flags: ['politically_restricted'], now: '2026-05-01T12:00', elections: ['2026-05-07'] };

// the shape the background builds per check (extension/shared/settings.js buildContext) when the
// administrator sets working hours and severities: CONTEXT plus attachments, working_hours, severity
export const BACKGROUND_CONTEXT = {
  ...CONTEXT,
  attachments: false,
  working_hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
  severity: { profanity: 'block', images: 'warn' },
};

export async function loadWasm() {
  const dir = resolve(root, process.env.POSTCHECK_WASM_DIR || 'target/wasm');
  const glue = await import(resolve(dir, 'postcheck_wasm.js'));
  const bytes = readFileSync(resolve(dir, 'postcheck_wasm_bg.wasm'));
  return { glue, bytes };
}

/**
 * Median (and min) of per-call times (µs) over `rounds` timed rounds of `iters` calls each.
 * Untimed warm-up first (at least 3 calls and ~minMs): the first calls of a subject are not its
 * steady cost (postcheck compiles the regexes a text needs on first use and its lazy DFAs add
 * states on the first searches; V8 has not optimised the JS yet), and calibrating on a cold
 * first call that alone lasts minMs timed single cold-ish calls: the peers table once showed
 * postcheck at 439 µs for 280 chars against 58 µs warm.
 */
export function timeIt(fn, { rounds = 15, minMs = 40 } = {}) {
  const w0 = performance.now();
  for (let n = 0; n < 3 || performance.now() - w0 < minMs; n++) fn();
  // calibrate iterations so a round lasts ~minMs
  let iters = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= minMs || iters > 1e6) break;
    iters *= dt < 1 ? 10 : Math.max(2, Math.ceil(minMs / dt));
  }
  const per = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) fn();
    per.push(((performance.now() - t0) * 1000) / iters);
  }
  per.sort((a, b) => a - b);
  return { median: per[per.length >> 1], min: per[0], iters };
}

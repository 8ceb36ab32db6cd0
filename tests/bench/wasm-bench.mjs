// wasm bench in Node, with the built package (target/wasm, or POSTCHECK_WASM_DIR):
// cold start (WebAssembly compile + instantiate via initSync, new Checker(), first check) in a
// fresh process per sample, then one check at 280 / 2,000 / 10,000 / 63,206 UTF-16 code units;
// then the per-check boundary cost: the 280 text and an empty draft with the background's context
// (BACKGROUND_CONTEXT) through check() — the context object converted on every call — and through
// checkIn() — the context converted once into a CheckContext, attachments and now passed per call
// (what the background does; skipped for a build without CheckContext).
// usage: node tests/bench/wasm-bench.mjs [--json]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BACKGROUND_CONTEXT, CONTEXT, LENGTHS, drafts, loadWasm, textOfLen, timeIt } from './texts.mjs';

const self = fileURLToPath(import.meta.url);

if (process.argv.includes('--cold-once')) {
  const { glue, bytes } = await loadWasm();
  const text = textOfLen(drafts(), 280);
  const t0 = performance.now();
  glue.initSync({ module: bytes });
  const t1 = performance.now();
  const checker = new glue.Checker();
  const t2 = performance.now();
  checker.check(text, CONTEXT);
  const t3 = performance.now();
  process.stdout.write(JSON.stringify({ instantiate: t1 - t0, construct: t2 - t1, first: t3 - t2, total: t3 - t0 }));
  process.exit(0);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const colds = [];
for (let i = 0; i < 7; i++) colds.push(JSON.parse(execFileSync(process.execPath, [self, '--cold-once'], { encoding: 'utf8' })));
const cold = Object.fromEntries(['instantiate', 'construct', 'first', 'total'].map((k) => [k, median(colds.map((c) => c[k]))]));

const { glue, bytes } = await loadWasm();
glue.initSync({ module: bytes });
const checker = new glue.Checker();
const ds = drafts();
const rows = [];
for (const len of LENGTHS) {
  const text = textOfLen(ds, len);
  const findings = checker.check(text, CONTEXT).length;
  const t = timeIt(() => checker.check(text, CONTEXT));
  rows.push({ len, us: t.median, min: t.min, perKchar: (t.median / len) * 1000, findings });
}
// the typing path: every prefix of the 280 text, one keystroke at a time
const t280 = textOfLen(ds, 280);
const typing = timeIt(() => { for (let i = 1; i <= 280; i += 1) checker.check(t280.slice(0, i), CONTEXT); }, { rounds: 5 });

// the boundary: check(text, object) against checkIn(text, CheckContext, attachments, now)
const boundary = [];
const { attachments: bgAttachments, now: bgNow } = BACKGROUND_CONTEXT;
const prepared = glue.CheckContext ? new glue.CheckContext(BACKGROUND_CONTEXT) : null;
for (const [label, text] of [['280 chars', t280], ['empty draft', '']]) {
  const viaCheck = timeIt(() => checker.check(text, BACKGROUND_CONTEXT));
  const viaCheckIn = prepared ? timeIt(() => checker.checkIn(text, prepared, bgAttachments, bgNow)) : null;
  boundary.push({ label, check: viaCheck.median, checkMin: viaCheck.min, checkIn: viaCheckIn?.median ?? null, checkInMin: viaCheckIn?.min ?? null });
}

const out = { cold, rows, typingPerKeystroke: typing.median / 280, boundary, wasmBytes: bytes.length };
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(out));
} else {
  console.log(`cold start (median of ${colds.length} fresh processes): instantiate ${cold.instantiate.toFixed(1)} ms, new Checker() ${cold.construct.toFixed(1)} ms, first check ${cold.first.toFixed(1)} ms, total ${cold.total.toFixed(1)} ms`);
  for (const r of rows) console.log(`check ${String(r.len).padStart(6)} chars: ${r.us.toFixed(1).padStart(9)} µs median (min ${r.min.toFixed(1)}), ${r.perKchar.toFixed(1)} µs per 1,000 chars, ${r.findings} findings`);
  console.log(`typing the 280 text one keystroke at a time: ${out.typingPerKeystroke.toFixed(1)} µs per keystroke (mean)`);
  for (const b of boundary) {
    const via = b.checkIn === null ? 'checkIn: not in this build' : `checkIn(CheckContext) ${b.checkIn.toFixed(1)} µs (min ${b.checkInMin.toFixed(1)})`;
    console.log(`background context, ${b.label.padEnd(11)}: check(object) ${b.check.toFixed(1)} µs median (min ${b.checkMin.toFixed(1)}); ${via}`);
  }
}

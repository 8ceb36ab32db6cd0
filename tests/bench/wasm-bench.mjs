// wasm bench in Node, with the built package (target/wasm, or POSTCHECK_WASM_DIR):
// cold start (WebAssembly compile + instantiate via initSync, new Checker(), first check) in a
// fresh process per sample, then one check at 280 / 2,000 / 10,000 / 63,206 UTF-16 code units;
// then the per-check boundary cost: the 280 text and an empty draft with the background's context
// (BACKGROUND_CONTEXT) through check() — the context object converted on every call — and through
// checkIn() — the context converted once into a CheckContext, attachments and now passed per call
// (what the background does; skipped for a build without CheckContext).
// The cold start also reports CPU time (ms): `cpuMain` per phase, the main thread's own time on a
// CPU (Linux /proc/self/task/PID/schedstat; null elsewhere), which excludes time spent waiting for
// a core; and `cpuProcess`, every thread of the process over the three phases (process.cpuUsage),
// which adds V8's background compile threads (its TurboFan tier-up of hot wasm functions). On a
// shared or 2-core machine the wall-clock phases depend on both and on other load; the main thread's
// CPU time is the load-robust figure for what the core itself costs there.
// usage: node tests/bench/wasm-bench.mjs [--json]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BACKGROUND_CONTEXT, CONTEXT, LENGTHS, drafts, loadWasm, textOfLen, timeIt } from './texts.mjs';

const self = fileURLToPath(import.meta.url);

if (process.argv.includes('--cold-once')) {
  const { glue, bytes } = await loadWasm();
  const text = textOfLen(drafts(), 280);
  const cpu = mainThreadCpuMs();
  const u0 = process.cpuUsage();
  const c0 = cpu();
  const t0 = performance.now();
  glue.initSync({ module: bytes });
  const t1 = performance.now();
  const c1 = cpu();
  const checker = new glue.Checker();
  const t2 = performance.now();
  const c2 = cpu();
  checker.check(text, CONTEXT);
  const t3 = performance.now();
  const c3 = cpu();
  const u = process.cpuUsage(u0);
  const d = (a, b) => (a === null ? null : b - a);
  process.stdout.write(JSON.stringify({
    instantiate: t1 - t0, construct: t2 - t1, first: t3 - t2, total: t3 - t0,
    cpuMain: { instantiate: d(c0, c1), construct: d(c1, c2), first: d(c2, c3), total: d(c0, c3) },
    cpuProcess: (u.user + u.system) / 1000,
  }));
  process.exit(0);
}

/**
 * A reader of the main thread's CPU time in ms (the first field of Linux's
 * /proc/self/task/PID/schedstat: ns on a CPU), or a reader that returns null where there is none.
 * @returns {() => number | null}
 */
function mainThreadCpuMs() {
  const file = `/proc/self/task/${process.pid}/schedstat`;
  try {
    readFileSync(file, 'utf8');
  } catch {
    return () => null;
  }
  return () => Number(readFileSync(file, 'utf8').split(' ')[0]) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const colds = [];
for (let i = 0; i < 7; i++) colds.push(JSON.parse(execFileSync(process.execPath, [self, '--cold-once'], { encoding: 'utf8' })));
const PHASES = ['instantiate', 'construct', 'first', 'total'];
const cold = Object.fromEntries(PHASES.map((k) => [k, median(colds.map((c) => c[k]))]));
cold.cpuMain = colds[0].cpuMain.total === null ? null : Object.fromEntries(PHASES.map((k) => [k, median(colds.map((c) => c.cpuMain[k]))]));
cold.cpuProcess = median(colds.map((c) => c.cpuProcess));

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
  const m = cold.cpuMain;
  const mainCpu = m === null ? 'main thread: n/a' : `main thread ${m.instantiate.toFixed(1)} + ${m.construct.toFixed(1)} + ${m.first.toFixed(1)} = ${m.total.toFixed(1)} ms`;
  console.log(`cold start CPU time (medians): ${mainCpu}; whole process (with V8's background compiles) ${cold.cpuProcess.toFixed(1)} ms`);
  for (const r of rows) console.log(`check ${String(r.len).padStart(6)} chars: ${r.us.toFixed(1).padStart(9)} µs median (min ${r.min.toFixed(1)}), ${r.perKchar.toFixed(1)} µs per 1,000 chars, ${r.findings} findings`);
  console.log(`typing the 280 text one keystroke at a time: ${out.typingPerKeystroke.toFixed(1)} µs per keystroke (mean)`);
  for (const b of boundary) {
    const via = b.checkIn === null ? 'checkIn: not in this build' : `checkIn(CheckContext) ${b.checkIn.toFixed(1)} µs (min ${b.checkInMin.toFixed(1)})`;
    console.log(`background context, ${b.label.padEnd(11)}: check(object) ${b.check.toFixed(1)} µs median (min ${b.checkMin.toFixed(1)}); ${via}`);
  }
}

#!/usr/bin/env bash
# postcheck — every benchmark in one run; rewrites docs/performance.md.
#
#   bash scripts/bench.sh            # build (release CLI + bench examples + wasm), run, write the page
#   POSTCHECK_BENCH_QUICK=1 bash scripts/bench.sh   # shorter criterion runs
#
# 1. criterion, native (crate/benches/check.rs, built as a release example);
# 2. callgrind instruction counts, native (crate/benches/icount.rs), if valgrind is installed;
# 3. the wasm bench in Node (tests/bench/wasm-bench.mjs) on target/wasm;
# 4. peers in one process (tests/bench/peers-bench.mjs);
# 5. sizes: wasm raw/gzip -9, zip -9 of dist/chrome (if built);
# 6. in-browser figures, if tests/bench/browser-bench.mjs exists (it writes
#    target/bench/browser.json; allowed to fail, noted on the page);
# then tests/bench/report.mjs writes docs/performance.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node-path.sh  # setup.sh's pinned Node.js, where the machine's is older than 20
log() { printf 'bench: %s\n' "$*" >&2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

{
  echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$(rustc --version), node $(node --version)"
  echo "run $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crate || echo ' (crate/ modified)')"
} > "$out/machine.txt"

log "build: release examples bench-check, bench-icount; wasm -> target/wasm"
cargo build --release -q -p postcheck --example bench-check --example bench-icount
cargo run -q -p postcheck-xtask --release -- wasm target/wasm > "$out/xtask.txt"

log "criterion (native)"
crit_args=(--bench)
if [[ ${POSTCHECK_BENCH_QUICK:-0} == 1 ]]; then crit_args+=(--warm-up-time 0.2 --measurement-time 1); fi
rm -rf target/criterion
target/release/examples/bench-check "${crit_args[@]}" | grep -E '^(check|cold)/|time:' >&2 || true
node -e '
const fs = require("fs"); const p = (f) => { try { return JSON.parse(fs.readFileSync(f)).median.point_estimate / 1000; } catch { return null; } };
const check = {}; for (const l of [280, 2000, 10000, 63206]) check[l] = p(`target/criterion/check/${l}/new/estimates.json`);
fs.writeFileSync(process.argv[1], JSON.stringify({ check, cold: p("target/criterion/cold/builtin+first-check/new/estimates.json") }));
' "$out/criterion.json"

if command -v valgrind >/dev/null; then
  log "callgrind instruction counts (native)"
  ic() { valgrind --tool=callgrind --toggle-collect='bench_icount::measured*' --callgrind-out-file=/dev/null \
      target/release/examples/bench-icount "$@" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
  s280=$(ic steady 280 20); s2k=$(ic steady 2000 5); s10k=$(ic steady 10000 2); s63k=$(ic steady 63206 1); cold=$(ic cold)
  echo "{\"steady\":{\"280\":$((s280 / 20)),\"2000\":$((s2k / 5)),\"10000\":$((s10k / 2)),\"63206\":$s63k},\"cold\":$cold}" > "$out/icount.json"
  cat "$out/icount.json" >&2
else
  log "valgrind not installed: no instruction counts"
fi

log "wasm bench (Node)"
node tests/bench/wasm-bench.mjs >&2
node tests/bench/wasm-bench.mjs --json > "$out/wasm.json"

log "peers (Node)"
node tests/bench/peers-bench.mjs --json > "$out/peers.json"
node -e 'for (const r of JSON.parse(require("fs").readFileSync(process.argv[1]))) console.error(r)' "$out/peers.json"

log "sizes"
raw=$(stat -c %s target/wasm/postcheck_wasm_bg.wasm)
gz=$(gzip -9 -n -c target/wasm/postcheck_wasm_bg.wasm | wc -c)
zip_bytes=null; zip_note='dist/chrome not built (bash scripts/build.sh)'
if [[ -d dist/chrome ]]; then
  # the package as shipped, with the wasm just built
  rm -rf "$out/pkg" && cp -r dist/chrome "$out/pkg" && cp target/wasm/postcheck_wasm_bg.wasm "$out/pkg/"
  (cd "$out/pkg" && zip -q -9 -r "$out/pkg.zip" .)
  zip_bytes=$(stat -c %s "$out/pkg.zip"); zip_note='dist/chrome with the current wasm, zip -9'
fi
echo "{\"wasmRaw\":$raw,\"wasmGzip\":$gz,\"zip\":$zip_bytes,\"zipNote\":\"$zip_note\"}" > "$out/sizes.json"
cat "$out/sizes.json" >&2

if [[ -f tests/bench/browser-bench.mjs ]]; then
  log "in-browser figures (tests/bench/browser-bench.mjs -> target/bench/browser.json)"
  rm -f target/bench/browser.json
  if node tests/bench/browser-bench.mjs >&2 && [[ -f target/bench/browser.json ]]; then
    cp target/bench/browser.json "$out/browser.json"
  else
    echo "tests/bench/browser-bench.mjs failed or wrote no target/bench/browser.json (exit status above in the log)" > "$out/browser-note.txt"
    log "browser bench failed: the page says so"
  fi
fi

node tests/bench/report.mjs "$out"

#!/usr/bin/env bash
# postcheck — build, then run every test suite; exits non-zero if any fails.
#
#   bash scripts/test.sh
#   POSTCHECK_SKIP_SETUP=1 bash scripts/test.sh   # skip scripts/setup.sh
#
# Suites: Rust (cargo test --workspace), unit tests in Node (tests/unit/: the submit guard, the
# text model in Chromium), wasm in Node (tests/wasm/), browser tests in
# Chromium (tests/browser/, one file at a time). Each suite runs even if an earlier one
# failed; a summary is printed at the end.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '\ntest: %s\n' "$*" >&2; }

bash scripts/build.sh
source scripts/node-path.sh  # setup.sh's pinned Node.js, where the machine's is older than 20
# build.sh ran setup already.
export POSTCHECK_SKIP_SETUP=1

declare -a results=()
failed=0

run() {
  local name=$1
  shift
  log "$name: $*"
  if "$@"; then
    results+=("PASS  $name")
  else
    results+=("FAIL  $name (exit $?)")
    failed=1
  fi
}

# node --test with the suite's files named one by one (sorted): node 20 also takes a folder,
# node 22 only files and globs.
node_suite() {
  local name=$1 dir=$2
  shift 2
  local -a files=()
  if [[ -d $dir ]]; then
    mapfile -t files < <(find "$dir" -type f -not -path '*/node_modules/*' \( -name '*.test.mjs' -o -name '*.test.js' -o -name '*.test.cjs' -o -name 'test-*.mjs' -o -name 'test-*.js' -o -name '*_test.mjs' -o -name '*-test.mjs' \) | LC_ALL=C sort)
  fi
  if [[ ${#files[@]} -gt 0 ]]; then
    run "$name" node --test "$@" "${files[@]}"
  else
    log "$name: $dir has no tests yet; skipped"
    results+=("SKIP  $name ($dir has no tests)")
  fi
}

run "rust" cargo test --workspace
node_suite "unit" tests/unit
node_suite "wasm" tests/wasm
node_suite "browser" tests/browser --test-concurrency=1

log "summary"
printf '  %s\n' "${results[@]}" >&2
if [[ $failed -ne 0 ]]; then
  log "FAILED"
  exit 1
fi
log "all suites passed"

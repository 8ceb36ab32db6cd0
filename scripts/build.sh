#!/usr/bin/env bash
# postcheck — build everything: the CLI, the wasm core, and the unpacked extension.
#
#   bash scripts/build.sh              # runs scripts/setup.sh first
#   POSTCHECK_SKIP_SETUP=1 bash scripts/build.sh
#
# Outputs: target/release/postcheck (CLI), target/wasm/ (wasm-bindgen output),
# dist/chrome/ (load it with "Load unpacked").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'build: %s\n' "$*" >&2; }

if [[ ${POSTCHECK_SKIP_SETUP:-0} != 1 ]]; then
  bash scripts/setup.sh
fi
source scripts/node-path.sh  # setup.sh's pinned Node.js, where the machine's is older than 20

log "cargo build --release (core + CLI)"
cargo build --release

log "wasm (xtask) -> target/wasm/"
cargo run -p postcheck-xtask --release -- wasm target/wasm

log "extension -> dist/chrome/"
node extension/build.mjs

log "done: dist/chrome/ is a loadable unpacked extension"

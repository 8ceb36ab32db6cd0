#!/usr/bin/env bash
# postcheck — set up, build, and show it working:
#
#   bash scripts/demo.sh
#
# Builds everything (scripts/build.sh: setup + CLI + wasm + dist/chrome), then tests/demo.mjs
# launches Chromium with the built extension (headless without $DISPLAY, headed with one), picks
# Barnsley MBC + Personal account in the options page, types a risky post into the x.com fixture,
# presses Post and prints the held-post warning; a screenshot goes to tests/output/demo.png.
# POSTCHECK_SKIP_BUILD=1 skips the build (use an existing dist/chrome).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node-path.sh  # setup.sh's pinned Node.js, where the machine's is older than 20

if [[ ${POSTCHECK_SKIP_BUILD:-0} != 1 ]]; then
  bash scripts/build.sh
fi

exec node tests/demo.mjs "$@"

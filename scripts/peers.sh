#!/usr/bin/env bash
# Peers side by side: postcheck vs the npm filters obscenity, bad-words, leo-profanity and alex,
# precision/recall for `profanity` and `discrimination` over dev, own, the fresh sets own56–own59
# (written in session 14, pooled: 1,000 drafts; nobody tuned on them), trap and disguised lists.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-path.sh  # setup.sh's pinned Node.js, where the machine's is older than 20
SHARED="${SHARED:-../shared}"
cargo build --release -q
[ -d node_modules/obscenity ] || npm install --no-audit --no-fund
mkdir -p target
cat crate/tests/data/own56.jsonl crate/tests/data/own57.jsonl crate/tests/data/own58.jsonl crate/tests/data/own59.jsonl > target/own56-own59.jsonl
node tests/peers/peers.mjs target/release/postcheck "$SHARED/corpus/dev.jsonl" crate/tests/data/own.jsonl target/own56-own59.jsonl \
  --traps crate/tests/data/traps.txt --disguised crate/tests/data/disguised.txt

#!/usr/bin/env bash
# postcheck — install what is missing to build and test (idempotent).
#
#   bash scripts/setup.sh
#
# Debian (or Ubuntu); run as root or with sudo available. Installs only what is absent:
# Chromium and firefox-esr (Debian packages; never `npx playwright install`), Node.js + npm (and, where that
# node is older than 20, a pinned Node.js in .tools/node: scripts/node-path.sh), the Rust
# wasm32-unknown-unknown target, and the npm packages from package-lock.json (`npm ci`).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  fi
fi

export DEBIAN_FRONTEND=noninteractive
apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get not found: install $* yourself"
    return 1
  fi
  if [[ $apt_updated -eq 0 ]]; then
    "${SUDO[@]}" apt-get update
    apt_updated=1
  fi
  "${SUDO[@]}" apt-get install -y --no-install-recommends "$@"
}

# Chromium, for the browser tests and the demo.
if [[ ! -x /usr/bin/chromium ]]; then
  log "installing chromium"
  apt_install chromium
else
  log "chromium: present"
fi

# firefox-esr, for the Firefox suite (tests/firefox/: the extension in Firefox over WebDriver BiDi,
# and Firefox's enterprise policies.json); without it that suite skips.
if ! command -v firefox-esr >/dev/null 2>&1; then
  log "installing firefox-esr"
  apt_install firefox-esr
else
  log "firefox-esr: present"
fi

# zip, for scripts/package.sh (the store zip).
if ! command -v zip >/dev/null 2>&1; then
  log "installing zip"
  apt_install zip
else
  log "zip: present"
fi

# Node.js and npm (the extension build and the JS tests).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  log "installing nodejs and npm"
  apt_install nodejs npm
else
  log "node $(node --version), npm $(npm --version): present"
fi

# Node.js 20 or newer: playwright-core and web-ext declare it (package.json "engines"), and
# Debian 12's own nodejs is 18. Where the node found is older, a pinned official Node.js
# build from the npm registry (the package node-linux-<arch>) goes to .tools/node, which
# scripts/node-path.sh puts first on PATH for every script that runs node.
NODE_PIN=22.23.3
source scripts/node-path.sh
if (( $(node -p 'process.versions.node.split(".")[0]') < 20 )); then
  case $(uname -m) in
    x86_64) node_arch=x64 ;;
    aarch64 | arm64) node_arch=arm64 ;;
    *) log "node $(node --version) is older than 20 and no pinned build is known for $(uname -m): install Node.js 20+ yourself"; exit 1 ;;
  esac
  log "node $(node --version) is older than 20: installing Node.js $NODE_PIN (npm package node-linux-$node_arch) into .tools/node"
  npm install --prefix .tools/node --no-save --no-audit --no-fund --no-package-lock "node-linux-$node_arch@$NODE_PIN"
  source scripts/node-path.sh
  log "node $(node --version) from .tools/node"
fi

# Rust: the wasm target (rustup itself is expected; Debian's rustc has no wasm32 std).
if ! command -v cargo >/dev/null 2>&1; then
  log "cargo not found: install Rust with rustup (https://rustup.rs) and re-run"
  exit 1
fi
if command -v rustup >/dev/null 2>&1; then
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "rust target wasm32-unknown-unknown: present"
  else
    log "adding rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
else
  log "rustup not found: make sure the wasm32-unknown-unknown std is installed"
fi

# npm packages: reinstall only when the lock file changed since the last install.
stamp=node_modules/.package-lock.json
if [[ -f $stamp && -d node_modules/esbuild && -d node_modules/playwright-core && ! package-lock.json -nt $stamp ]]; then
  log "node_modules: up to date"
else
  log "npm ci"
  npm ci --no-audit --no-fund
fi

log "done"

#!/usr/bin/env bash
# postcheck — build the packages councils deploy (docs/admin-guide.md), into dist/packages/:
#
#   postcheck-<version>-chrome-edge.zip   upload to the Chrome Web Store and Edge Add-ons
#                                         (manifest without `key`: the stores assign the id)
#   postcheck-<version>-firefox.xpi       for Firefox (unsigned: sign it on addons.mozilla.org,
#                                         or install on ESR with signatures not required)
#   postcheck-<version>.crx + updates.xml self-hosted Chrome/Edge, only when a signing key is named:
#
#   bash scripts/package.sh
#   POSTCHECK_CRX_KEY=/secure/council-postcheck.pem \
#   POSTCHECK_CRX_URL=https://intranet.example.gov.uk/postcheck/ bash scripts/package.sh
#
# The CRX signing key is the council's own, kept outside this repository (never commit a *.pem).
# Its public half becomes the manifest `key`, so the id in updates.xml, the CRX and the policy
# templates agree; the id is printed. Create one with: openssl genrsa -out council.pem 2048
#
#   POSTCHECK_SKIP_BUILD=1   package the existing dist/chrome instead of running scripts/build.sh
#   POSTCHECK_OUT=DIR        write the packages to DIR instead of dist/packages (the tests use a temp dir)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node-path.sh  # setup.sh's pinned Node.js, where the machine's is older than 20

log() { printf 'package: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v zip >/dev/null || die "zip not found (apt-get install -y zip; scripts/setup.sh installs it)"
[[ ${POSTCHECK_SKIP_BUILD:-0} == 1 ]] || bash scripts/build.sh
[[ -f dist/chrome/manifest.json ]] || die "no dist/chrome — run scripts/build.sh"

OUT=${POSTCHECK_OUT:-dist/packages}
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
VERSION=$(node -p "require('./dist/chrome/manifest.json').version")

# stage NAME KEY_B64: a copy of dist/chrome with the manifest `key` removed ("") or replaced.
stage() {
  local dir="$STAGE/$1"
  cp -r dist/chrome "$dir"
  KEY_B64="$2" node -e '
    const fs = require("fs"); const f = process.argv[1];
    const m = JSON.parse(fs.readFileSync(f, "utf8"));
    if (process.env.KEY_B64) m.key = process.env.KEY_B64; else delete m.key;
    fs.writeFileSync(f, JSON.stringify(m, null, 2) + "\n");' "$dir/manifest.json"
  printf '%s\n' "$dir"
}

# Zip with fixed timestamps-independent ordering; -X drops extra file attributes.
zipdir() { (cd "$1" && rm -f "$2" && find . -type f | LC_ALL=C sort | zip -qX -@ "$2"); }

store=$(stage store "")
zipdir "$store" "$OUT/postcheck-$VERSION-chrome-edge.zip"
log "$OUT/postcheck-$VERSION-chrome-edge.zip"

firefox=$(stage firefox "")
node_modules/.bin/web-ext build --source-dir "$firefox" --artifacts-dir "$OUT" \
  --filename "postcheck-$VERSION-firefox.xpi" --overwrite-dest >/dev/null
log "$OUT/postcheck-$VERSION-firefox.xpi"

if [[ -n ${POSTCHECK_CRX_KEY:-} ]]; then
  [[ -r $POSTCHECK_CRX_KEY ]] || die "POSTCHECK_CRX_KEY=$POSTCHECK_CRX_KEY is not readable"
  case $(realpath "$POSTCHECK_CRX_KEY") in "$(realpath .)"/*) log "warning: the signing key is inside the repository; keep it elsewhere" ;; esac
  pub=$(openssl pkey -in "$POSTCHECK_CRX_KEY" -pubout -outform DER 2>/dev/null | base64 -w0) || die "cannot read the key (PEM RSA private key expected)"
  id=$(printf '%s' "$pub" | base64 -d | sha256sum | cut -c1-32 | tr '0-9a-f' 'a-p')
  crx=$(stage crx "$pub")
  # Chromium signs the CRX (format 3) itself; headless, with a throw-away profile.
  profile=$(mktemp -d)
  "${CHROMIUM:-chromium}" --headless=new --no-sandbox --disable-gpu --user-data-dir="$profile" \
    --pack-extension="$crx" --pack-extension-key="$(realpath "$POSTCHECK_CRX_KEY")" >/dev/null 2>&1 || true
  rm -rf "$profile"
  [[ -f $crx.crx ]] || die "chromium --pack-extension made no CRX"
  mv "$crx.crx" "$OUT/postcheck-$VERSION.crx" && chmod 644 "$OUT/postcheck-$VERSION.crx"
  base=${POSTCHECK_CRX_URL:-https://intranet.example.gov.uk/postcheck/}
  base=${base%/}/
  cat >"$OUT/updates.xml" <<EOF
<?xml version='1.0' encoding='UTF-8'?>
<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>
  <app appid='$id'>
    <updatecheck codebase='${base}postcheck-$VERSION.crx' version='$VERSION' />
  </app>
</gupdate>
EOF
  printf '%s\n' "$id" >"$OUT/extension-id.txt"
  log "$OUT/postcheck-$VERSION.crx and $OUT/updates.xml (extension id $id; serve both at $base)"
else
  log "no CRX: set POSTCHECK_CRX_KEY=/path/to/council-key.pem to build one for self-hosting"
fi

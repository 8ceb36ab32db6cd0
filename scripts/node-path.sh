# postcheck — sourced (not run) by every script that runs node: puts the Node.js that
# scripts/setup.sh installed under .tools/node first on PATH. That copy exists only on a
# machine whose own node is older than the packages' floor (playwright-core and web-ext
# declare node >= 20; Debian 12's own nodejs package is 18); elsewhere this changes nothing.
_postcheck_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for _postcheck_bin in "$_postcheck_root"/.tools/node/node_modules/node-linux-*/bin; do
  if [[ -x $_postcheck_bin/node ]]; then
    PATH="$_postcheck_bin:$PATH"
  fi
done
export PATH
unset _postcheck_root _postcheck_bin

#!/usr/bin/env bash
# Installs what is missing to build the page (and, with --test, to run every
# test). Idempotent: with everything present it only checks versions.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf 'setup: %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# The exact wasm-bindgen the lock file pins; the CLI must match it.
bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}
[ -f Cargo.lock ] || cargo generate-lockfile
BINDGEN_VERSION=$(bindgen_version)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (takes a few minutes once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "^wasm-bindgen $BINDGEN_VERSION\$"; then
  say "installing wasm-bindgen-cli $BINDGEN_VERSION (takes a few minutes once)"
  # --locked fails for this version (a dependency missing from the registry).
  cargo install wasm-bindgen-cli --version "$BINDGEN_VERSION" --force
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  say "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm"
  npm install --global --no-audit --no-fund "binaryen@$BINARYEN_VERSION"
fi

if [ "$want_test" = 1 ]; then
  missing=()
  for pkg in chromium chromium-driver iptables nftables ufw ipset iproute2 python3 \
      nginx-light apache2 fail2ban shellcheck openssl; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # Every e2e dependency at its pinned version (playwright-core, axe-core).
  wanted=$(node -p "JSON.stringify(require('./tests/e2e/package.json').dependencies)")
  have=$(node -p "const d = require('./tests/e2e/package.json').dependencies; JSON.stringify(Object.fromEntries(Object.keys(d).map((k) => { try { return [k, require('./tests/e2e/node_modules/' + k + '/package.json').version] } catch { return [k, ''] } })))")
  if [ "$wanted" != "$have" ]; then
    say "installing the e2e test tools (playwright-core without a browser download, axe-core)"
    (cd tests/e2e && npm ci --no-audit --no-fund --silent)
  fi
fi
say "ready"

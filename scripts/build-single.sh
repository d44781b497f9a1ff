#!/usr/bin/env bash
# Builds dist-single/err521.html: the whole page in one self-contained file
# (wasm, JavaScript, styles and examples inlined) that works opened straight
# from disk (file://), where browsers run no module scripts and fetch
# nothing. The engine still runs in a Web Worker, started from a blob URL.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
./scripts/setup.sh >/dev/null

target_dir=${CARGO_TARGET_DIR:-target}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cargo build --release --target wasm32-unknown-unknown --bin err521-web --bin err521-worker
for bin in err521-web err521-worker; do
  # no-modules: a classic script defining the global `wasm_bindgen`.
  wasm-bindgen --target no-modules --no-typescript --out-dir "$out" \
    "$target_dir/wasm32-unknown-unknown/release/$bin.wasm"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/${bin}_bg.wasm" -o "$out/${bin}_bg.wasm"
done
mkdir -p dist-single
python3 scripts/single_file.py "$out" dist-single/err521.html

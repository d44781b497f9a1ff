#!/usr/bin/env bash
# Installs what is missing, then runs every test: formatting and lints,
# native unit and integration tests (with the kernel differential tests when
# run as root), browser component tests, the release build with its size
# budget, and end-to-end tests of dist/ in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver

step() { printf '\n== %s\n' "$*"; }

step "format and lints"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --lib --bins --tests -- -D warnings

step "native tests"
cargo test --all-targets

step "browser component tests (wasm-bindgen-test, headless Chromium)"
cargo test --target wasm32-unknown-unknown --test web

step "release build of the page"
trunk build --release --offline
./scripts/size.sh
./scripts/build-single.sh

step "end-to-end tests of dist/ (headless Chromium)"
(cd tests/e2e && node --test --test-concurrency=1 ./*.test.mjs)

step "all tests passed"

#!/usr/bin/env bash
# Installs what is missing, then serves the page on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
exec trunk serve --offline "$@"

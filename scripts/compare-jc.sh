#!/usr/bin/env bash
# Parser throughput vs jc (https://github.com/kellyjonbrazil/jc) on large
# generated outputs: iptables -L, ufw status, dig, netstat, ss. Prints MB/s
# for both, the ratio, and the rule / answer / listener counts each found
# (with the count the generator put in). Results: docs/FUZZING.md.
#
#   scripts/compare-jc.sh [LINES] [REPEAT]      # default 50000 lines, best of 3
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
lines=${1:-50000}
repeat=${2:-3}
python3 -c 'import jc' 2>/dev/null || python3 -m pip install --quiet jc
# The bench profile is the native, full-speed one (release is tuned for wasm size).
cargo build --quiet --profile bench --example parse_bench
target=${CARGO_TARGET_DIR:-target}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 scripts/gen_bench_inputs.py "$dir" "$lines"
echo "jc $(python3 -c 'import jc; print(jc.__version__)'), $lines lines per input, best of $repeat"
python3 scripts/compare_jc.py "$target/release/examples/parse_bench" "$dir" "$repeat"

#!/usr/bin/env bash
# CPU work of the whole pipeline (`err521 diagnose --format json`) at two
# sizes of every input shape in benches/inputs.rs (the three firewall dumps,
# a mixed ticket and the pathological set), counted as instructions by
# callgrind: repeatable on a busy machine, unlike time. Prints instructions
# per input byte at both sizes and the growth when the input doubles (2.00
# is linear; start-up work makes small inputs read below 2); exits 1 when a
# shape grows by more than 2.3x.
#
#   scripts/work-scaling.sh [MB]      # MB and 2*MB, default 1
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mb=${1:-1}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
cargo build --quiet --profile bench --bin err521 --example gen_inputs
bin=${CARGO_TARGET_DIR:-target}/release
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/a" "$dir/b"
"$bin/examples/gen_inputs" "$dir/a" "$mb" "$mb" >/dev/null
"$bin/examples/gen_inputs" "$dir/b" $((2 * mb)) $((2 * mb)) >/dev/null
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin/err521" diagnose --format json "$1" 2>&1 >/dev/null |
        sed -n 's/.*Collected : //p'
}
status=0
printf '%-22s %12s %12s %7s\n' input "instr/B ${mb}MB" "instr/B $((2 * mb))MB" growth
for a in "$dir"/a/*.txt; do
    name=$(basename "$a" .txt)
    b="$dir/b/$name.txt"
    read -r line < <(python3 - "$(count "$a")" "$(stat -c %s "$a")" "$(count "$b")" "$(stat -c %s "$b")" "$name" <<'PY'
import sys
ia, sa, ib, sb, name = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
growth = (ib / ia) * (2 * sa / sb)
print(f"{name:<22} {ia / sa:12.1f} {ib / sb:12.1f} {growth:7.2f} {'FAIL' if growth > 2.3 else 'ok'}")
PY
)
    echo "$line"
    [[ $line == *FAIL ]] && status=1
done
exit $status

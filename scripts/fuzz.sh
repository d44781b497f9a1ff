#!/usr/bin/env bash
# libFuzzer campaign over every parser, the splitter and the whole pipeline.
# Not part of CI (tests/it/fuzz_smoke.rs is the CI-sized smoke). See docs/FUZZING.md.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   scripts/fuzz.sh seed            # only (re)build the seed corpora
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). Only the stable toolchain is
# installed here, so RUSTC_BOOTSTRAP=1 lets it use the nightly-only
# sanitizer flags (-Zsanitizer=address) that cargo-fuzz passes to rustc.
# One worker per target; targets run one after another, so two invocations
# with different targets can run side by side (each keeps its own log).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"

ALL_TARGETS=(analyze split error_page html ufw iptables ipset nftables firewalld csf
  bans cloud dns addrs services listeners probes resources hints share webconfig)

# Which fixture folders seed which target (every target also gets tickets/
# and scenarios/, which mix formats, and the fuzz regressions).
seeds_for() {
  case "$1" in
    analyze|split|hints) echo "*" ;;
    error_page|html) echo "error-page" ;;
    ufw) echo "ufw" ;;
    iptables) echo "iptables csf" ;;
    ipset) echo "bans" ;;
    nftables) echo "nftables" ;;
    firewalld) echo "firewalld" ;;
    csf) echo "csf" ;;
    bans) echo "bans csf" ;;
    cloud) echo "cloud" ;;
    dns) echo "dns" ;;
    addrs) echo "addrs" ;;
    services) echo "services" ;;
    listeners) echo "listeners" ;;
    probes) echo "probes error-page" ;;
    share) echo "share" ;;
    resources) echo "resources services" ;;
    webconfig) echo "webconfig services" ;;
  esac
}

seed() {
  local t=$1 dir=fuzz/corpus/$1
  mkdir -p "$dir"
  for fam in $(seeds_for "$t") tickets scenarios fuzz-regressions; do
    # shellcheck disable=SC2086
    for f in tests/fixtures/$fam/* tests/fixtures/$fam; do
      [ -f "$f" ] || continue
      cp "$f" "$dir/$(echo "${f#tests/fixtures/}" | tr / _)"
    done
    if [ "$fam" = "*" ]; then
      find tests/fixtures -type f | while read -r f; do
        cp "$f" "$dir/$(echo "${f#tests/fixtures/}" | tr / _)"
      done
    fi
  done
}

if [ "${1:-}" = seed ]; then
  for t in "${ALL_TARGETS[@]}"; do seed "$t"; done
  exit 0
fi

secs=${1:-120}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${ALL_TARGETS[@]}")

mkdir -p fuzz/logs
# Build every target once up front, so a run never rebuilds mid-campaign.
(cd fuzz && cargo fuzz build -O) >fuzz/logs/build.log 2>&1 || { tail -20 fuzz/logs/build.log; exit 1; }
for t in "${targets[@]}"; do
  seed "$t"
  echo "== $t (${secs}s)"
  # -timeout=1: an input under 64 KB that takes over a second is a finding.
  # In-process (no -jobs), so libFuzzer writes to stderr: the log is this
  # target's alone even when another invocation runs beside it.
  (cd fuzz && cargo fuzz run -O "$t" "corpus/$t" -- \
      -max_total_time="$secs" -timeout=1 -max_len=65536 \
      -rss_limit_mb=2048 -print_final_stats=1) >"fuzz/logs/$t.log" 2>&1 || true
  grep -hE '^(Done|stat::number_of_executed_units|SUMMARY|==[0-9]+== ERROR|.*deadly signal|.*panicked)' \
    "fuzz/logs/$t.log" 2>/dev/null || true
  if ls fuzz/artifacts/"$t"/ 2>/dev/null | grep -q .; then
    echo "   findings in fuzz/artifacts/$t/"
  fi
done

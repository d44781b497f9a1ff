#!/usr/bin/env bash
# Page weight: gzipped size of what dist/ serves. Prints the first load (the
# page, its script, styles and wasm) and what is fetched on first use (the
# analysis worker, started when the person turns to an input; the examples
# are fetched one by one when clicked and are not counted). Fails above the
# budgets.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET_KB=${BUDGET_KB:-250}
# The worker is the whole engine (every parser, the firewall evaluator, the
# fixes): about 320 KB gzipped on 2026-11-25, 430 KB on 2026-12-07 after
# the real-paste work (roles, evidence, panel ban tools, cloud formats, the
# collector). The worker loads after the first paint, so the budget for it
# was raised to 700 KB in total; shrinking it is open work (issue 16).
TOTAL_BUDGET_KB=${TOTAL_BUDGET_KB:-700}
first=0
later=0
for f in dist/index.html dist/*.js dist/*.wasm dist/*.css dist/manifest.webmanifest; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  [ "$name" = sw.js ] && continue
  size=$(gzip -9 -c "$f" | wc -c)
  case "$name" in
    err521-worker*) later=$((later + size)); when="on first analysis" ;;
    *) first=$((first + size)); when="first load" ;;
  esac
  printf '%8d B gz  %-48s %s\n' "$size" "$f" "$when"
done
printf 'page weight: %d KB gzipped on first load (budget %d KB), %d KB with the analysis worker (budget %d KB)\n' \
  $((first / 1024)) "$BUDGET_KB" $(((first + later) / 1024)) "$TOTAL_BUDGET_KB"
[ $((first / 1024)) -le "$BUDGET_KB" ] || { echo "over the first-load budget" >&2; exit 1; }
[ $(((first + later) / 1024)) -le "$TOTAL_BUDGET_KB" ] || { echo "over the total budget" >&2; exit 1; }

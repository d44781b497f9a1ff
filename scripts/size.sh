#!/usr/bin/env bash
# Page weight: gzipped size of what dist/ serves on first load. Prints the
# figures and fails above the budget.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET_KB=${BUDGET_KB:-400}
total=0
for f in dist/index.html dist/*.js dist/*.wasm dist/*.css; do
  [ -f "$f" ] || continue
  [ "$(basename "$f")" = sw.js ] && continue
  size=$(gzip -9 -c "$f" | wc -c)
  printf '%8d B gz  %s\n' "$size" "$f"
  total=$((total + size))
done
printf 'page weight: %d KB gzipped (budget %d KB)\n' $((total / 1024)) "$BUDGET_KB"
[ $((total / 1024)) -le "$BUDGET_KB" ] || { echo "over the page weight budget" >&2; exit 1; }

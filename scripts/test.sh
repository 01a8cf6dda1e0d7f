#!/usr/bin/env bash
# README command 2: every test suite, from a fresh clone. Installs what it needs, runs each stage in
# its own process group (so nothing it started outlives it), prints a summary, exits 1 on any failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/lib/ensure-deps.sh --browser --promtool || exit 1
export PATH="$PWD/node_modules/.bin:$PATH"
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false

declare -a names=() results=() times=()
failed=0

run_stage() {
  local name="$1"; shift
  echo
  echo "==> [$name] $*"
  local start=$SECONDS
  setsid "$@" &
  local pid=$!
  wait "$pid"
  local code=$?
  kill -TERM -- "-$pid" 2>/dev/null && sleep 1 && kill -KILL -- "-$pid" 2>/dev/null
  names+=("$name"); times+=($((SECONDS - start)))
  if [[ $code -eq 0 ]]; then results+=("pass"); else results+=("FAIL($code)"); failed=$((failed + 1)); fi
}

only="${TEST_ONLY:-}"
stage() { if [[ -z "$only" || ",$only," == *",$1,"* ]]; then run_stage "$@"; fi; }

stage typecheck npm run --silent typecheck
stage unit npx vitest run --project unit
stage workers npx vitest run --project workers
stage lab npm run --silent lab
stage explorer npm run --silent lab -- --explore --runs 200 --seed 1
stage e2e npx playwright test
stage load npm run --silent load

echo
echo "Summary"
for i in "${!names[@]}"; do
  printf '  %-10s %-10s %4ss\n' "${names[$i]}" "${results[$i]}" "${times[$i]}"
done
echo "stages: $(( ${#names[@]} - failed )) passed, ${failed} failed"
[[ $failed -eq 0 ]]

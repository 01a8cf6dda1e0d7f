#!/usr/bin/env bash
# Runs every unit test file holding a fast-check property under many random seeds, to find
# counterexamples before CI's pinned seed would. Usage: npm run test:soak [-- ROUNDS]
# A failure prints its seed; replay it with FC_SEED=<seed> npx vitest run --project unit <file>.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/lib/ensure-deps.sh || exit 1
export PATH="$PWD/node_modules/.bin:$PATH"
rounds="${1:-20}"
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "property-soak: ROUNDS must be a positive integer, got '$rounds'" >&2
  exit 2
fi
mapfile -t files < <(grep -rl --include='*.test.ts' 'fc\.assert' worker fault-lab scripts load | grep -v '^worker/test/' | sort)
failed=0
for round in $(seq 1 "$rounds"); do
  seed=$(( (RANDOM << 15 | RANDOM) ))
  if FC_SEED="$seed" CI= npx vitest run --project unit --reporter=dot "${files[@]}" >"/tmp/property-soak.$$.log" 2>&1; then
    echo "round $round/$rounds seed $seed: pass"
  else
    echo "round $round/$rounds seed $seed: FAIL"
    grep -E "Counterexample|seed|FAIL|AssertionError" "/tmp/property-soak.$$.log" | head -20
    failed=$((failed + 1))
  fi
done
rm -f "/tmp/property-soak.$$.log"
echo "property soak: $((rounds - failed))/$rounds seeds passed over ${#files[@]} files"
[[ $failed -eq 0 ]]

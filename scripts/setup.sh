#!/usr/bin/env bash
# Everything a fresh machine needs for the stack, the tests and the benchmark.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/lib/ensure-deps.sh --browser --wrk --promtool
bash scripts/lib/dev-vars.sh
echo "==> setup complete"

#!/usr/bin/env bash
# README command 1: the local stack — Worker on workerd (local KV + Durable Object), fake backend,
# fake Gemini/OpenRouter, diagnostics page. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/lib/ensure-deps.sh
bash scripts/lib/dev-vars.sh
export PATH="$PWD/node_modules/.bin:$PATH"
port="${PORT:-8787}"
if ! node -e 'const s=require("net").createServer();s.once("error",()=>process.exit(1));s.listen(+process.argv[1],"127.0.0.1",()=>s.close(()=>process.exit(0)))' "$port"; then
  echo "==> port $port is busy; using a free port"
  port=0
fi
exec tsx fault-lab/src/stack/stack-cli.ts --port "$port" --persist .wrangler/state --env-file worker/.dev.vars "$@"

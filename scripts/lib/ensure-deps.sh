#!/usr/bin/env bash
# Installs what the project needs, idempotently: npm dependencies (incl. Node 22 as a devDependency)
# and, with --browser, Debian's Chromium for Playwright (`npx playwright install` cannot download here),
# with --wrk, Debian's wrk (µs latency percentiles for the bench), with --promtool, Debian's
# prometheus package (its `promtool check metrics` lints the Worker's Prometheus exposition).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

want_browser=false
want_wrk=false
want_promtool=false
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=true ;;
    --wrk) want_wrk=true ;;
    --promtool) want_promtool=true ;;
  esac
done

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp="node_modules/.pocketbrain-install-stamp"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_hash" ]]; then
  echo "==> npm ci (dependencies changed or not installed)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$stamp"
fi

apt_install() {
  local runner=()
  if [[ "$(id -u)" != "0" ]]; then
    if command -v sudo >/dev/null 2>&1; then runner=(sudo); else
      echo "error: installing $* needs root: run 'sudo apt-get update && sudo apt-get install -y $*'" >&2
      return 1
    fi
  fi
  echo "==> apt-get install -y $*"
  "${runner[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${runner[@]}" apt-get install -y -qq "$@" >/dev/null
}

if $want_browser && [[ ! -x /usr/bin/chromium ]]; then
  apt_install chromium || { echo "error: Chromium is required for the e2e tests: apt-get update && apt-get install -y chromium" >&2; exit 1; }
fi
if $want_wrk && ! command -v wrk >/dev/null 2>&1; then
  apt_install wrk || echo "warning: wrk not installed (run: apt-get update && apt-get install -y wrk); npm run bench prints no latency percentiles without it" >&2
fi
if $want_promtool && ! command -v promtool >/dev/null 2>&1; then
  apt_install --no-install-recommends prometheus || echo "warning: promtool not installed (run: apt-get update && apt-get install -y --no-install-recommends prometheus); the Prometheus lint test will fail without it" >&2
fi
exit 0

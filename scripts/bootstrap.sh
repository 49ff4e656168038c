#!/usr/bin/env bash
# Installs what shadowdiff needs on a fresh machine, and nothing when it is already there:
# npm dependencies (npm ci), the dashboard and compiled build, Debian's redis-server when no REDIS_URL is
# given, and with --for-tests Debian's chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
for_tests=false
[ "${1:-}" = "--for-tests" ] && for_tests=true

apt_install() {
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "shadowdiff: installing $* (Debian packages)…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "$@" >&2
    return 0
  fi
  return 1
}

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "shadowdiff: installing npm dependencies (npm ci)…" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

# The dashboard is built once into packages/dashboard/dist/web, and again when its sources change.
dashboard=packages/dashboard
if [ ! -f "$dashboard/dist/web/index.html" ] || [ -n "$(find "$dashboard/web" "$dashboard/vite.config.ts" -newer "$dashboard/dist/web/index.html" -print -quit)" ]; then
  echo "shadowdiff: building the dashboard…" >&2
  npm run -s build -w @shadowdiff/dashboard >&2
fi

# The compiled JavaScript (each workspace's dist/) that the shadowdiff binary runs. tsc -b only
# compiles what changed since the last build, so this is quick when nothing did.
if [ ! -f services/cli/dist/main.js ]; then
  echo "shadowdiff: compiling (tsc -b)…" >&2
fi
node_modules/.bin/tsc -b tsconfig.build.json >&2

if [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
  if ! apt_install redis-server; then
    echo "shadowdiff: redis-server is missing. Install it (sudo apt-get install redis-server) or set REDIS_URL=redis://HOST:PORT." >&2
    exit 1
  fi
fi

if $for_tests && ! command -v chromium >/dev/null 2>&1; then
  if ! apt_install chromium; then
    echo "shadowdiff: the browser tests need Chromium (sudo apt-get install chromium)." >&2
    exit 1
  fi
fi

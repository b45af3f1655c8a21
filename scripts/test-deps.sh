#!/usr/bin/env bash
# The system programs the test suite runs for real: redis-server (the BullMQ executor's tests start
# their own) and chromium (the report is checked in a real browser). Installed with apt when missing
# and we are root; otherwise this says exactly what to install and fails.
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ -z "${CODEX_ORCHESTRATOR_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: installing ${missing[*]} with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "test-deps: the tests need ${missing[*]}; install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}), or set CODEX_ORCHESTRATOR_CHROMIUM to a Chromium binary" >&2
  exit 1
fi

#!/usr/bin/env bash
# spec-guard: the project's guardrail, run by the CLI (`codex-orchestrator spec-guard`, which ships
# the checks so every repository has them). Fails when
#   (a) source files changed without a matching change under tasks/specs/ or to tasks/index.json,
#   (b) a spec's last_review is older than SPEC_GUARD_MAX_AGE_DAYS (default 30),
#   (c) the task checklist mirrors disagree.
# See docs/scripts.md for the formats and the environment variables.
set -uo pipefail

usage="usage: spec-guard.sh [--dry-run] [--base <git-rev>]"
script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

usage_error() {
  echo "spec-guard: $1" >&2
  echo "$usage" >&2
  exit 2
}

args=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    -h | --help)
      echo "$usage"
      exit 0
      ;;
    --dry-run) args+=(--dry-run) ;;
    --base)
      if [ "$#" -lt 2 ] || [ -z "$2" ]; then usage_error "--base needs a git revision"; fi
      args+=("--base=$2")
      shift
      ;;
    --base=*)
      if [ -z "${1#--base=}" ]; then usage_error "--base needs a git revision"; fi
      args+=("$1")
      ;;
    *) usage_error "unknown argument \"$1\"" ;;
  esac
  shift
done

# The CLI: CODEX_ORCHESTRATOR_BIN (an installed CLI), else this repository's build.
if [ -n "${CODEX_ORCHESTRATOR_BIN:-}" ]; then
  exec "$CODEX_ORCHESTRATOR_BIN" spec-guard ${args[@]+"${args[@]}"}
fi
cli="$script_dir/../apps/cli/dist/bin.js"
if [ ! -f "$cli" ]; then
  echo "spec-guard: CLI not built: $cli not found (run \"pnpm build\" or set CODEX_ORCHESTRATOR_BIN)" >&2
  exit 2
fi
exec "${NODE:-node}" "$cli" spec-guard ${args[@]+"${args[@]}"}

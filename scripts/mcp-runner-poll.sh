#!/usr/bin/env bash
# Shows (or, with --watch, follows) one run's status through the codex-orchestrator CLI.
# Arguments, MCP_RUNNER_TASK_ID, the exit code and signals pass through unchanged.
set -euo pipefail

usage="usage: mcp-runner-poll.sh <run-id> [--watch] [--interval N] [--format text|json]"
script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

case "${1:-}" in
  -h | --help)
    echo "$usage"
    exit 0
    ;;
  "")
    echo "mcp-runner-poll: missing run id" >&2
    echo "$usage" >&2
    exit 2
    ;;
  -*)
    echo "mcp-runner-poll: the first argument must be a run id, got \"$1\"" >&2
    echo "$usage" >&2
    exit 2
    ;;
esac

# Catch the common slips here so the message names this script; the CLI validates the rest.
previous=""
for argument in "$@"; do
  if [ "$previous" = "--interval" ] || [ "$previous" = "--format" ]; then
    if [ "${argument#-}" != "$argument" ]; then
      echo "mcp-runner-poll: $previous needs a value" >&2
      echo "$usage" >&2
      exit 2
    fi
  fi
  previous=$argument
done
if [ "$previous" = "--interval" ] || [ "$previous" = "--format" ]; then
  echo "mcp-runner-poll: $previous needs a value" >&2
  echo "$usage" >&2
  exit 2
fi

exec "${NODE:-node}" "$script_dir/agents_mcp_runner.mjs" status "$@"

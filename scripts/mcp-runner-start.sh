#!/usr/bin/env bash
# Starts a run (or resumes one with --resume <run-id>) through the codex-orchestrator CLI.
# Every other argument, MCP_RUNNER_TASK_ID, the exit code and signals pass through unchanged.
set -euo pipefail

usage="usage: mcp-runner-start.sh [--resume <run-id>] [args...]"
script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  echo "$usage"
  exit 0
fi

resume_id=""
passthrough=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --resume)
      if [ "$#" -lt 2 ] || [ -z "$2" ] || [ "${2#-}" != "$2" ]; then
        echo "mcp-runner-start: --resume needs a run id" >&2
        echo "$usage" >&2
        exit 2
      fi
      resume_id=$2
      shift 2
      ;;
    --resume=*)
      resume_id=${1#--resume=}
      if [ -z "$resume_id" ]; then
        echo "mcp-runner-start: --resume needs a run id" >&2
        echo "$usage" >&2
        exit 2
      fi
      shift
      ;;
    *)
      passthrough+=("$1")
      shift
      ;;
  esac
done

if [ -n "$resume_id" ]; then
  exec "${NODE:-node}" "$script_dir/agents_mcp_runner.mjs" resume "$resume_id" ${passthrough[@]+"${passthrough[@]}"}
fi
exec "${NODE:-node}" "$script_dir/agents_mcp_runner.mjs" start ${passthrough[@]+"${passthrough[@]}"}

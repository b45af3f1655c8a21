#!/usr/bin/env bash
# spec-guard: the project's guardrail. Fails when
#   (a) source files changed without a matching change under tasks/specs/ or to tasks/index.json,
#   (b) a spec's last_review is older than SPEC_GUARD_MAX_AGE_DAYS (default 30),
#   (c) the task checklist mirrors disagree (scripts/check-mirrors.mjs).
# See docs/scripts.md for the formats and the environment variables.
set -uo pipefail

usage="usage: spec-guard.sh [--dry-run] [--base <git-rev>]"
script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
node_bin=${NODE:-node}

usage_error() {
  echo "spec-guard: $1" >&2
  echo "$usage" >&2
  exit 2
}

dry_run=0
base_flag=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    -h | --help)
      echo "$usage"
      exit 0
      ;;
    --dry-run) dry_run=1 ;;
    --base)
      if [ "$#" -lt 2 ] || [ -z "$2" ]; then usage_error "--base needs a git revision"; fi
      base_flag=$2
      shift
      ;;
    --base=*)
      base_flag=${1#--base=}
      if [ -z "$base_flag" ]; then usage_error "--base needs a git revision"; fi
      ;;
    *) usage_error "unknown argument \"$1\"" ;;
  esac
  shift
done

max_age=${SPEC_GUARD_MAX_AGE_DAYS:-30}
case "$max_age" in
  '' | *[!0-9]*) usage_error "SPEC_GUARD_MAX_AGE_DAYS must be a whole number of days, got \"$max_age\"" ;;
esac

# The repository to check: CODEX_ORCHESTRATOR_ROOT, else the git top level of cwd, else cwd.
if [ -n "${CODEX_ORCHESTRATOR_ROOT:-}" ]; then
  root=$CODEX_ORCHESTRATOR_ROOT
  [ -d "$root" ] || usage_error "CODEX_ORCHESTRATOR_ROOT is not a directory: $root"
  root=$(cd -- "$root" && pwd)
else
  root=$(git rev-parse --show-toplevel 2>/dev/null) || root=$(pwd)
fi

problems=0
checks=0
finding() {
  echo "spec-guard: $1"
  problems=$((problems + 1))
}
note() {
  echo "spec-guard: note: $1"
}

echo "spec-guard: checking ${root}${MCP_RUNNER_TASK_ID:+ (task $MCP_RUNNER_TASK_ID)}"

# --- (a) source changes need a spec change -------------------------------------------------------
empty_tree=4b825dc642cb6eb9a060e54bf8d69288fbee4904
in_git=0
if [ "$(git -C "$root" rev-parse --is-inside-work-tree 2>/dev/null)" = "true" ]; then in_git=1; fi

if [ "$in_git" = 0 ]; then
  if [ -n "$base_flag" ]; then usage_error "--base given but $root is not a git work tree"; fi
  note "not a git work tree; skipping the source-vs-spec change check"
else
  git_root=(git -C "$root" -c core.quotepath=off)
  base=""
  base_label=""
  if [ -n "$base_flag" ] || [ -n "${SPEC_GUARD_BASE:-}" ]; then
    requested=${base_flag:-$SPEC_GUARD_BASE}
    source_name=$([ -n "$base_flag" ] && echo "--base" || echo "SPEC_GUARD_BASE")
    base=$("${git_root[@]}" rev-parse --verify --quiet "${requested}^{commit}") ||
      usage_error "$source_name: unknown git revision \"$requested\""
    base_label=$requested
  elif "${git_root[@]}" rev-parse --verify --quiet "origin/main^{commit}" >/dev/null &&
    merge_base=$("${git_root[@]}" merge-base HEAD origin/main 2>/dev/null); then
    base=$merge_base
    base_label="merge-base with origin/main"
  elif "${git_root[@]}" rev-parse --verify --quiet "HEAD~1^{commit}" >/dev/null; then
    base=$("${git_root[@]}" rev-parse HEAD~1)
    base_label="HEAD~1"
  elif "${git_root[@]}" rev-parse --verify --quiet "HEAD^{commit}" >/dev/null; then
    base=$("${git_root[@]}" rev-parse HEAD)
    base_label="HEAD (working-tree changes)"
  else
    base=$empty_tree
    base_label="no commits yet (all files)"
  fi
  checks=$((checks + 1))
  # Committed, staged and unstaged changes since base, plus untracked files; renames count twice.
  if ! changed=$(
    "${git_root[@]}" diff --relative --no-renames --name-only "$base" -- &&
      "${git_root[@]}" ls-files --others --exclude-standard
  ); then
    finding "[changes] cannot list changes against $base_label"
  else
    source_changes=$(printf '%s\n' "$changed" | grep -E '^(packages|apps|scripts)/' |
      grep -Ev '(^|/)(test|tests|__tests__|docs)/|\.(test|spec)\.[^/]+$|\.md$|(^|/)(README|CHANGELOG|LICENSE)[^/]*$' |
      sort -u || true)
    spec_changes=$(printf '%s\n' "$changed" | grep -E '^tasks/specs/|^tasks/index\.json$' || true)
    if [ -n "$source_changes" ] && [ -z "$spec_changes" ]; then
      count=$(printf '%s\n' "$source_changes" | wc -l | tr -d ' ')
      listed=$(printf '%s\n' "$source_changes" | head -n 5 | paste -sd ',' - | sed 's/,/, /g')
      [ "$count" -gt 5 ] && listed="$listed, ..."
      finding "[changes] $count source file(s) changed since $base_label without a change under tasks/specs/ or to tasks/index.json: $listed"
    fi
  fi
fi

# --- (b) specs reviewed recently ------------------------------------------------------------------
checks=$((checks + 1))
if ! review_output=$(
  SPEC_GUARD_ROOT="$root" SPEC_GUARD_MAX_AGE="$max_age" "$node_bin" --input-type=module - 2>&1 <<'NODE'
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
const root = process.env.SPEC_GUARD_ROOT;
const maxAge = Number(process.env.SPEC_GUARD_MAX_AGE);
const todayText = process.env.SPEC_GUARD_TODAY || new Date().toISOString().slice(0, 10);
const dateOf = (text) => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text).trim());
  if (!match) return null;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(time).toISOString().slice(0, 10) === match.slice(1).join("-") ? time : null;
};
const today = dateOf(todayText);
if (today === null) {
  console.log(`SPEC_GUARD_TODAY must be YYYY-MM-DD, got "${todayText}"`);
  process.exit(0);
}
const checkDate = (where, value) => {
  const time = dateOf(value);
  if (time === null) return console.log(`${where}: last_review "${value}" is not a YYYY-MM-DD date`);
  const age = Math.floor((today - time) / 86_400_000);
  if (age > maxAge) console.log(`${where}: last_review ${value} is ${age} days old (limit ${maxAge})`);
};
const specsDir = path.join(root, "tasks", "specs");
const specs = existsSync(specsDir) ? readdirSync(specsDir).filter((name) => name.endsWith(".md")).sort() : [];
for (const name of specs) {
  const lines = readFileSync(path.join(specsDir, name), "utf8").split(/\r?\n/);
  const end = lines[0]?.trim() === "---" ? lines.indexOf("---", 1) : -1;
  const field = end === -1 ? -1 : lines.slice(1, end).findIndex((line) => /^last_review\s*:/.test(line));
  if (field === -1) {
    console.log(`tasks/specs/${name}:1: no last_review in the front matter`);
    continue;
  }
  const value = lines[field + 1].replace(/^last_review\s*:\s*/, "").replace(/\s+#.*$/, "").replace(/^["']|["']$/g, "");
  checkDate(`tasks/specs/${name}:${field + 2}`, value);
}
const indexFile = path.join(root, "tasks", "index.json");
if (existsSync(indexFile)) {
  let index;
  try {
    index = JSON.parse(readFileSync(indexFile, "utf8"));
  } catch {
    index = null; // reported by the mirror check
  }
  // The original CLI's key is "items", ours was "tasks": check the tasks of both.
  const tasks = [index?.items, index?.tasks].flatMap((list) => (Array.isArray(list) ? list : []));
  for (const task of tasks) {
    if (task && task.last_review !== undefined) checkDate(`tasks/index.json (task ${task.id})`, task.last_review);
  }
}
NODE
); then
  finding "[review] cannot run the last_review check with $node_bin: $review_output"
elif [ -n "$review_output" ]; then
  while IFS= read -r line; do finding "[review] $line"; done <<<"$review_output"
fi

# --- (c) task mirrors agree -----------------------------------------------------------------------
checks=$((checks + 1))
mirror_output=$("$node_bin" "$script_dir/check-mirrors.mjs" --root "$root" 2>&1)
mirror_status=$?
if [ "$mirror_status" = 1 ]; then
  while IFS= read -r line; do [ -n "$line" ] && finding "[mirrors] $line"; done <<<"$mirror_output"
elif [ "$mirror_status" != 0 ]; then
  finding "[mirrors] check-mirrors.mjs failed (exit $mirror_status): $(printf '%s' "$mirror_output" | head -n 1)"
fi

if [ "$problems" -gt 0 ]; then
  if [ "$dry_run" = 1 ]; then
    echo "spec-guard: $problems problem(s) found (dry run: not failing)"
    exit 0
  fi
  echo "spec-guard: $problems problem(s) found"
  exit 1
fi
echo "spec-guard: OK ($checks checks)"
exit 0

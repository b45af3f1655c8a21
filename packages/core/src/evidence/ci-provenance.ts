import type { CiProvenance } from "@codex/orchestrator-schema";

/** The CI job the process runs in (GitHub Actions, GitLab CI, Buildkite), from its variables; else null. */
export function readCiProvenance(env: NodeJS.ProcessEnv): CiProvenance | null {
  const value = (name: string): string | null => {
    const text = env[name];
    return text === undefined || text === "" ? null : text;
  };
  if (env.GITHUB_ACTIONS === "true") {
    const server = value("GITHUB_SERVER_URL");
    const repository = value("GITHUB_REPOSITORY");
    const runId = value("GITHUB_RUN_ID");
    return {
      provider: "github-actions",
      run_id: runId,
      workflow: value("GITHUB_WORKFLOW"),
      ref: value("GITHUB_REF"),
      url: server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : null,
    };
  }
  if (env.GITLAB_CI === "true")
    return {
      provider: "gitlab-ci",
      run_id: value("CI_PIPELINE_ID"),
      workflow: value("CI_JOB_NAME"),
      ref: value("CI_COMMIT_REF_NAME"),
      url: value("CI_JOB_URL") ?? value("CI_PIPELINE_URL"),
    };
  if (env.BUILDKITE === "true")
    return {
      provider: "buildkite",
      run_id: value("BUILDKITE_BUILD_ID"),
      workflow: value("BUILDKITE_PIPELINE_SLUG"),
      ref: value("BUILDKITE_BRANCH"),
      url: value("BUILDKITE_BUILD_URL"),
    };
  return null;
}

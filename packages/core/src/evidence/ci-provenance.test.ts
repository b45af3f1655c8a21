import { describe, expect, it } from "vitest";
import { readCiProvenance } from "./ci-provenance.js";
import { withoutCredentials } from "./git-provenance.js";

describe("CI provenance", () => {
  it("recognises GitLab CI and Buildkite from their variables, and nothing else", () => {
    expect(
      readCiProvenance({
        GITLAB_CI: "true",
        CI_PIPELINE_ID: "88",
        CI_JOB_NAME: "test",
        CI_COMMIT_REF_NAME: "main",
        CI_JOB_URL: "https://gitlab.example/org/repo/-/jobs/9",
      }),
    ).toEqual({
      provider: "gitlab-ci",
      run_id: "88",
      workflow: "test",
      ref: "main",
      url: "https://gitlab.example/org/repo/-/jobs/9",
    });
    expect(
      readCiProvenance({
        BUILDKITE: "true",
        BUILDKITE_BUILD_ID: "b-1",
        BUILDKITE_PIPELINE_SLUG: "deploy",
        BUILDKITE_BRANCH: "release",
      }),
    ).toEqual({ provider: "buildkite", run_id: "b-1", workflow: "deploy", ref: "release", url: null });
    expect(readCiProvenance({ CI: "true" })).toBeNull();
  });
});

describe("remote URLs without credentials", () => {
  it.each([
    ["https://user:token@github.com/org/repo.git", "https://github.com/org/repo.git"],
    ["https://x-access-token:ghs_abc@github.com/org/repo", "https://github.com/org/repo"],
    ["https://github.com/org/repo.git?access_token=abc#frag", "https://github.com/org/repo.git"],
    ["ssh://git:pw@host:2222/org/repo.git", "ssh://host:2222/org/repo.git"],
    ["git@github.com:org/repo.git", "git@github.com:org/repo.git"],
    ["user:token@host:org/repo.git", "host:org/repo.git"],
    ["/srv/git/repo.git", "/srv/git/repo.git"],
  ])("%s → %s", (remote, expected) => {
    expect(withoutCredentials(remote)).toBe(expected);
  });
});

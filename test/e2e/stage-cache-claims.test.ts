import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCliJson, spawnCli } from "../helpers/cli.js";
import { exitedPid, lockHolder } from "../helpers/lock-holder.js";
import { tempDir } from "../helpers/temp-dir.js";
import { cachedRepo } from "./stage-cache-support.js";

// Runs of one repository share its working tree: a keyed stage runs in one of them at a time, the
// others wait for its claim and reuse its result (docs/cache.md, "One stage of a key at a time").

// A claim lock file as process `pid` holds it.
const claimHeldBy = (pid: number) => JSON.stringify(lockHolder(pid, { purpose: "stage cache claim" }));

describe("stage cache claims", () => {
  it("shares the cache between concurrent runs: each keyed stage runs once, the others reuse it", async () => {
    const { root, run } = cachedRepo();
    const counter = path.join(tempDir(), "ran.log");
    fs.writeFileSync(counter, "");
    const runs = Array.from({ length: 3 }, () => {
      const child = spawnCli(root, ["start", "--format", "json"], { env: { COUNTER: counter, MODE: "dev" } });
      return new Promise<number | null>((resolve) => child.on("close", resolve));
    });
    expect(await Promise.all(runs)).toEqual([0, 0, 0]);
    // Run side by side in one working tree, a stage would rewrite the outputs another run is storing.
    expect(fs.readFileSync(counter, "utf8").split("\n").filter(Boolean).sort()).toEqual([
      "build",
      "lint",
      "test",
    ]);
    expect(fs.readdirSync(path.join(root, ".runs", ".cache", "tmp"))).toEqual([]);
    expect(fs.readdirSync(path.join(root, ".runs", ".cache", "claims"))).toEqual([]);
    fs.rmSync(path.join(root, "dist"), { recursive: true });
    const after = run();
    expect(after.ran).toEqual([]);
    expect(fs.readFileSync(path.join(root, "dist/out.txt"), "utf8")).toBe("one\n");
  });

  it("waits while another process claims a stage's key, and takes over a dead process's claim", async () => {
    const { root, run } = cachedRepo();
    const counter = path.join(tempDir(), "ran.log");
    fs.writeFileSync(counter, "");
    fs.writeFileSync(path.join(root, "src/a.txt"), "two\n");
    const claimFile = () => {
      const plan = runCliJson<{ stages: { id: string; cache?: { key: string } }[] }>(root, ["plan"], {
        env: { MODE: "dev" },
      });
      const key = plan.json.stages.find((stage) => stage.id === "build")?.cache?.key ?? "";
      const claims = path.join(root, ".runs", ".cache", "claims");
      fs.mkdirSync(claims, { recursive: true });
      return path.join(claims, `${key.replace("sha256:", "")}.lock`);
    };
    // A live holder (this test's process): the run waits, says so, and runs once the claim is gone.
    const held = claimFile();
    fs.writeFileSync(held, claimHeldBy(process.pid));
    const child = spawnCli(root, ["start", "--format", "json"], { env: { COUNTER: counter, MODE: "dev" } });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await expect.poll(() => stderr, { timeout: 20_000 }).toMatch(/is running it with the same key; waiting/);
    expect(fs.readFileSync(counter, "utf8")).not.toContain("build");
    fs.rmSync(held);
    expect(await exited).toBe(0);
    expect(fs.readFileSync(counter, "utf8")).toContain("build");
    // A holder that has exited: taken over at once.
    fs.writeFileSync(path.join(root, "src/a.txt"), "three\n");
    fs.writeFileSync(claimFile(), claimHeldBy(exitedPid()));
    const next = run();
    expect(next.status).toBe(0);
    expect(next.ran).toContain("build");
    expect(next.stderr).not.toMatch(/waiting/);
    expect(fs.readdirSync(path.join(root, ".runs", ".cache", "claims"))).toEqual([]);
  });

  it("runs a stage unclaimed, with a warning, when its claim cannot be written", () => {
    const { root, run } = cachedRepo();
    fs.mkdirSync(path.join(root, ".runs", ".cache"), { recursive: true });
    fs.writeFileSync(path.join(root, ".runs", ".cache", "claims"), "not a folder");
    const first = run();
    expect(first.status).toBe(0);
    expect(first.ran.sort()).toEqual(["build", "lint", "test"]);
    expect(first.stderr).toMatch(/stage build: its cache key could not be claimed, running it anyway/);
    fs.rmSync(path.join(root, "dist"), { recursive: true });
    expect(run().ran).toEqual([]);
  });
});

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-dir.js";
import { acquireLock } from "@codex/orchestrator-persistence";
import { CacheEntryError } from "../errors.js";
import type { CachePutRequest } from "./cache-store.js";
import { LocalCacheStore } from "./local-cache-store.js";

const KEY = `sha256:${"ab".repeat(32)}`;
const OTHER_KEY = `sha256:${"cd".repeat(32)}`;

function request(
  root: string,
  key: string,
  outputs: string[],
  log = [{ stream: "stdout" as const, data: "built\n" }],
): CachePutRequest {
  return {
    key,
    root,
    source: {
      run_id: "run-1",
      task_id: "0101",
      pipeline_id: "p",
      stage_id: "build",
      completed_at: "2026-01-01T00:00:00.000Z",
    },
    fingerprint: { key, command: "c", inputs: { "src/a.ts": "d1" }, env: {}, needs: [] },
    outputs,
    log,
  };
}

// A repository with outputs of every kind: binary, empty, executable, nested, a link.
function repoWithOutputs(): { root: string; outputs: string[]; binary: Buffer } {
  const root = tempDir();
  const binary = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7) % 256));
  fs.mkdirSync(path.join(root, "dist/nested/deeper"), { recursive: true });
  fs.writeFileSync(path.join(root, "dist/app.bin"), binary);
  fs.writeFileSync(path.join(root, "dist/empty"), "");
  fs.writeFileSync(path.join(root, "dist/run.sh"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
  fs.writeFileSync(path.join(root, "dist/nested/deeper/x.txt"), "deep");
  fs.symlinkSync("app.bin", path.join(root, "dist/link"));
  fs.symlinkSync("/etc/hostname", path.join(root, "dist/outside-link"));
  const outputs = [
    "dist",
    "dist/app.bin",
    "dist/empty",
    "dist/run.sh",
    "dist/nested",
    "dist/nested/deeper",
    "dist/nested/deeper/x.txt",
    "dist/link",
    "dist/outside-link",
  ];
  return { root, outputs, binary };
}

describe("LocalCacheStore", () => {
  it("restores outputs byte-exact: binary and empty files, executable bits, nested folders, links as links", async () => {
    const { root, outputs, binary } = repoWithOutputs();
    const store = new LocalCacheStore(path.join(root, ".runs"));
    expect(await store.put(request(root, KEY, outputs))).toBe("stored");
    fs.rmSync(path.join(root, "dist"), { recursive: true });

    const entry = await store.get(KEY);
    expect(entry?.meta.source.run_id).toBe("run-1");
    const log = await entry!.restore(root);

    expect(log).toEqual([{ stream: "stdout", data: "built\n" }]);
    expect(fs.readFileSync(path.join(root, "dist/app.bin")).equals(binary)).toBe(true);
    expect(fs.readFileSync(path.join(root, "dist/empty")).length).toBe(0);
    expect(fs.statSync(path.join(root, "dist/run.sh")).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(path.join(root, "dist/nested/deeper/x.txt"), "utf8")).toBe("deep");
    expect(fs.readlinkSync(path.join(root, "dist/link"))).toBe("app.bin");
    // A link is stored as its target text, never followed out of the repository.
    expect(fs.lstatSync(path.join(root, "dist/outside-link")).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(path.join(root, "dist/outside-link"))).toBe("/etc/hostname");
    expect(fs.readdirSync(path.join(root, "dist")).some((name) => name.includes("codex-restore"))).toBe(
      false,
    );
  });

  it("refuses a truncated output copy before restoring anything", async () => {
    const { root, outputs } = repoWithOutputs();
    const store = new LocalCacheStore(path.join(root, ".runs"));
    await store.put(request(root, KEY, outputs));
    const blob = path.join(store.directory, "ab", "ab".repeat(32), "files", "1");
    fs.truncateSync(blob, 10);
    fs.writeFileSync(path.join(root, "dist/empty"), "kept as it was");

    const entry = await store.get(KEY);
    await expect(entry!.restore(root)).rejects.toThrow(/does not match its digest/);
    expect(fs.readFileSync(path.join(root, "dist/empty"), "utf8")).toBe("kept as it was");
  });

  it("refuses an entry whose entry.json is cut short or whose log was changed", async () => {
    const root = tempDir();
    const store = new LocalCacheStore(path.join(root, ".runs"));
    await store.put(request(root, KEY, []));
    await store.put(request(root, OTHER_KEY, []));
    const meta = path.join(store.directory, "ab", "ab".repeat(32), "entry.json");
    fs.writeFileSync(meta, fs.readFileSync(meta, "utf8").slice(0, 40));
    await expect(store.get(KEY)).rejects.toBeInstanceOf(CacheEntryError);

    fs.appendFileSync(path.join(store.directory, "cd", "cd".repeat(32), "log.ndjson"), "x");
    const other = await store.get(OTHER_KEY);
    await expect(other!.restore(root)).rejects.toThrow(/log does not match/);
  });

  it("never restores outside the repository: a path with .. or a planted link is refused", async () => {
    const root = tempDir();
    const outside = tempDir();
    fs.writeFileSync(path.join(root, "a.txt"), "a");
    const store = new LocalCacheStore(path.join(root, ".runs"));
    await store.put(request(root, KEY, ["a.txt"]));
    const metaFile = path.join(store.directory, "ab", "ab".repeat(32), "entry.json");
    const meta = JSON.parse(fs.readFileSync(metaFile, "utf8"));
    meta.outputs[0].path = "../escaped.txt";
    fs.writeFileSync(metaFile, JSON.stringify(meta));
    await expect((await store.get(KEY))!.restore(root)).rejects.toThrow(/outside the repository/);

    // A folder an output goes into replaced by a link leading out of the repository.
    fs.mkdirSync(path.join(root, "out"));
    fs.writeFileSync(path.join(root, "out/b.txt"), "b");
    await store.put(request(root, OTHER_KEY, ["out/b.txt"]));
    fs.rmSync(path.join(root, "out"), { recursive: true });
    fs.symlinkSync(outside, path.join(root, "out"));
    await expect((await store.get(OTHER_KEY))!.restore(root)).rejects.toBeInstanceOf(CacheEntryError);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it("lets two writers store one key at once: one publishes, the other finds it stored, the entry is whole", async () => {
    const { root, outputs, binary } = repoWithOutputs();
    const runs = path.join(root, ".runs");
    const results = await Promise.all(
      Array.from({ length: 6 }, () => new LocalCacheStore(runs).put(request(root, KEY, outputs))),
    );
    expect(results.filter((result) => result === "stored").length).toBeGreaterThanOrEqual(1);
    expect(results.every((result) => result === "stored" || result === "exists")).toBe(true);
    fs.rmSync(path.join(root, "dist"), { recursive: true });
    await (await new LocalCacheStore(runs).get(KEY))!.restore(root);
    expect(fs.readFileSync(path.join(root, "dist/app.bin")).equals(binary)).toBe(true);
    expect(fs.readdirSync(path.join(runs, ".cache", "tmp"))).toEqual([]);
  });

  it("prunes the least recently used entries first, down to the size asked", async () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, "big"), Buffer.alloc(10_000, 1));
    const store = new LocalCacheStore(path.join(root, ".runs"));
    await store.put(request(root, KEY, ["big"]));
    await store.put(request(root, OTHER_KEY, ["big"]));
    // KEY is used after OTHER_KEY was stored: OTHER_KEY is the least recently used.
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(store.directory, "cd", "cd".repeat(32)), old, old);
    await (await store.get(KEY))!.restore(root);

    const result = await store.prune({ maxSize: 15_000 });
    expect(result).toMatchObject({ removed: 1, pruned: true });
    expect(await store.has(KEY)).toBe(true);
    expect(await store.has(OTHER_KEY)).toBe(false);
    expect((await store.prune({ maxSize: 0 })).removed).toBe(1);
    expect(await store.list()).toEqual([]);
  });

  it("lists unreadable entries, and prune removes them whatever the size", async () => {
    const root = tempDir();
    const store = new LocalCacheStore(path.join(root, ".runs"));
    await store.put(request(root, KEY, []));
    fs.rmSync(path.join(store.directory, "ab", "ab".repeat(32), "entry.json"));
    expect((await store.list())[0]).toMatchObject({ key: KEY, readable: false });
    expect((await store.prune({ maxSize: 1e9 })).removed).toBe(1);
  });

  it("leaves pruning to the process that holds the prune lock, and removes nothing meanwhile", async () => {
    const root = tempDir();
    const store = new LocalCacheStore(path.join(root, ".runs"));
    await store.put(request(root, KEY, []));
    const lock = acquireLock(path.join(store.directory, "prune.lock"));
    try {
      expect(await store.prune({ maxSize: 0 })).toMatchObject({ pruned: false, removed: 0 });
      expect(await store.has(KEY)).toBe(true);
    } finally {
      lock.release();
    }
    expect(await store.prune({ maxSize: 0 })).toMatchObject({ pruned: true, removed: 1 });
  });
});

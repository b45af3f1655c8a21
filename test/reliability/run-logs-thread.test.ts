import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// The built package: the writer thread starts from its built file.
import { PersistenceError, RunLogs } from "../../packages/persistence/dist/index.js";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
});

function tempDir(): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "run-logs-thread-"));
  directories.push(directory);
  fs.mkdirSync(path.join(directory, "commands"));
  return directory;
}

function sleep(milliseconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds);
}

const line = (text: string) => Buffer.from(`${text}\n`, "utf8");
const outputParts = (index: number) => [
  '{"type":"command:stdout","data":',
  JSON.stringify(`chunk ${index} "quoted"\té\n`.repeat(40 + (index % 7) * 300)),
  ',"index":1}\n',
];

// The same calls, with the thread taking over as soon as it can (or never): the files must match.
function drive(
  directory: string,
  threadAfterBytes: number,
  firstAppends = 50,
): { digests: string[]; threaded: boolean; firstAppends: number } {
  const failures: unknown[] = [];
  const logs = new RunLogs({
    chainFrom: { runId: "run-1" },
    onError: (error) => failures.push(error),
    threadAfterBytes,
  });
  const runner = logs.open(path.join(directory, "runner.ndjson"));
  const stagePath = path.join(directory, "commands", "01-a.ndjson");
  const stage = logs.open(stagePath);
  logs.writeLine([runner], line('{"type":"run:start"}'));
  let index = 0;
  const append = () => {
    logs.append(outputParts(index), [stage, runner], 1);
    if (index % 25 === 0) logs.writeLine([stage, runner], line(`{"type":"mark","at":${index}}`));
    index += 1;
  };
  // Enough output for the thread to load and take over (it never makes the run wait for it).
  for (
    let waited = 0;
    index < firstAppends || (threadAfterBytes !== Infinity && !logs.threaded && waited < 10_000);
  ) {
    append();
    if (index >= firstAppends) {
      sleep(5);
      waited += 5;
    }
  }
  const threaded = logs.threaded;
  const appended = index;
  for (let more = 0; more < 300; more += 1) append();
  logs.flush();
  // A log closed and opened again continues its chain.
  logs.close(stage);
  const again = logs.open(stagePath);
  logs.writeLine([again, runner], line('{"type":"command:end","exit_code":0}'));
  logs.closeAll();
  expect(failures).toEqual([]);
  const digests = logs
    .digests()
    .map((digest) => `${path.basename(digest.path)} ${digest.sha256} ${digest.lines}`)
    .sort();
  return { digests, threaded, firstAppends: appended };
}

describe("a run's logs on their writer thread", () => {
  it("write the same bytes, chains and digests as in-process", () => {
    const inProcess = tempDir();
    const onThread = tempDir();
    const there = drive(onThread, 1);
    const here = drive(inProcess, Infinity, there.firstAppends);
    expect(here.threaded).toBe(false);
    expect(there.threaded).toBe(true);
    for (const file of ["runner.ndjson", "commands/01-a.ndjson"]) {
      expect(
        fs.readFileSync(path.join(onThread, file)).equals(fs.readFileSync(path.join(inProcess, file))),
        file,
      ).toBe(true);
    }
    expect(there.digests).toEqual(here.digests);
    expect(there.digests).toHaveLength(2);
  });

  it.skipIf(!fs.existsSync("/dev/full"))(
    "report a failed write as in-process: thrown for a line, to its owner for collected output",
    () => {
      const directory = tempDir();
      const owners: number[] = [];
      const errors: string[] = [];
      const logs = new RunLogs({
        chainFrom: { runId: "run-1" },
        onError: (error, owner) => {
          owners.push(owner);
          errors.push(error.message);
        },
        threadAfterBytes: 1,
      });
      const runner = logs.open(path.join(directory, "runner.ndjson"));
      for (let waited = 0; !logs.threaded && waited < 10_000; waited += 5) {
        logs.append(outputParts(1), [runner], 1);
        sleep(5);
      }
      expect(logs.threaded).toBe(true);
      const full = logs.open("/dev/full");
      let thrown: unknown;
      try {
        logs.writeLine([full], line('{"type":"x"}'));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PersistenceError);
      expect((thrown as Error).message).toMatch(/^Could not append to \/dev\/full: .*ENOSPC/);
      logs.append(outputParts(2), [full], 7);
      logs.flush();
      expect(owners).toEqual([7]);
      expect(errors[0]).toBe((thrown as Error).message);
      logs.closeAll();
    },
  );
});

import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { PersistenceError, UnsafePathError } from "../errors.js";
import { AppendFile } from "../files/append-file.js";
import { rebuildError, transportError } from "./log-thread-protocol.js";

describe("errors between the run and its log writer thread", () => {
  it.skipIf(!fs.existsSync("/dev/full"))(
    "a write failure comes back with the same message, path and hint",
    () => {
      const file = new AppendFile("/dev/full");
      let original: unknown;
      try {
        file.write("x\n");
      } catch (error) {
        original = error;
      } finally {
        file.close();
      }
      expect(original).toBeInstanceOf(PersistenceError);
      const rebuilt = rebuildError(structuredClone(transportError(original, "append to", "/dev/full")));
      expect(rebuilt).toBeInstanceOf(PersistenceError);
      const source = original as PersistenceError;
      expect(rebuilt.message).toBe(source.message);
      expect((rebuilt as PersistenceError).path).toBe("/dev/full");
      expect((rebuilt as PersistenceError).hint).toBe(source.hint);
      expect(((rebuilt as PersistenceError).cause as NodeJS.ErrnoException).code).toBe("ENOSPC");
    },
  );

  it("a refused link stays a refusal; anything else becomes a persistence error with its words", () => {
    const refused = rebuildError(
      transportError(new UnsafePathError("Refusing to write to x: it is a symbolic link"), "open", "x"),
    );
    expect(refused).toBeInstanceOf(UnsafePathError);
    expect(refused.message).toBe("Refusing to write to x: it is a symbolic link");
    const other = rebuildError(transportError(new Error("log 3 is not open"), "append to", "runner.ndjson"));
    expect(other).toBeInstanceOf(PersistenceError);
    expect(other.message).toBe("log 3 is not open");
  });
});

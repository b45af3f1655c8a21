import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { assertCliBuilt, CLI_BIN } from "../helpers/cli.js";

// Every command but a bare --version loads the argument parser, and with it string-width (twice, in
// two versions), which builds an Intl.Segmenter and Unicode property classes when loaded: ~25 ms of
// every command's start, for text that is measured only to lay out --help. The patches in patches/
// build them on first use (docs/decisions/0022-lazy-text-measuring.md); this keeps it so when a
// dependency update brings the eager form back.
const cliPackage = path.resolve(path.dirname(CLI_BIN), "../package.json");
const EAGER_BUILD = /^(?:var|let|const) \w+ = new (?:Intl\.Segmenter\(|RegExp\("[^"\n]*\\\\p\{)/m;

describe("the built CLI's start-up", () => {
  it("builds no Intl.Segmenter or Unicode property class when a chunk loads", () => {
    assertCliBuilt();
    const dist = path.dirname(CLI_BIN);
    const chunks = fs.readdirSync(dist).filter((name) => name.endsWith(".js"));
    expect(chunks.length).toBeGreaterThan(5);
    const eager = chunks.filter((name) => EAGER_BUILD.test(fs.readFileSync(path.join(dist, name), "utf8")));
    expect(eager).toEqual([]);
  });

  it("measures text as string-width did once it is asked to (both patched versions)", async () => {
    // The versions the CLI bundles: yargs's own and the one of its layout package, cliui.
    const fromYargs = createRequire(createRequire(cliPackage).resolve("yargs/package.json"));
    const fromCliui = createRequire(fromYargs.resolve("cliui"));
    for (const file of [fromYargs.resolve("string-width"), fromCliui.resolve("string-width")]) {
      const { default: stringWidth } = (await import(pathToFileURL(file).href)) as {
        default: (text: string) => number;
      };
      expect(stringWidth("plain ascii")).toBe(11);
      expect(stringWidth("表示幅")).toBe(6);
      expect(stringWidth("👍 ok")).toBe(5);
      expect(stringWidth("e\u0301")).toBe(1);
      expect(stringWidth("\u001b[31mred\u001b[39m")).toBe(3);
    }
  });
});

import fs from "node:fs";
import path from "node:path";
import { tempDir } from "../helpers/temp-dir.js";
import { command, pipeline, startJson, tempRepo } from "./support.js";

// Each command notes that it ran in a file outside the repository (COUNTER is not a declared env
// var, so it is not part of any key).
export const note = (name: string) => `echo ${name} >> "$COUNTER"`;

const BUILD =
  `${note("build")} && mkdir -p dist/nested/deeper && cat src/a.txt > dist/out.txt && ` +
  `printf '\\000\\001\\377' > dist/app.bin && : > dist/empty && printf '#!/bin/sh\\n' > dist/run.sh && ` +
  `chmod 755 dist/run.sh && echo deep > dist/nested/deeper/x.txt && echo built from $(cat src/a.txt)`;

/**
 * A repository whose `ci` pipeline caches `build` (writes dist/), `test` (reads it) and `lint`, and
 * `run` (start, with COUNTER and MODE set) returning the stages that ran.
 */
export function cachedRepo(extraStages: unknown[] = [], pipelineExtra: Record<string, unknown> = {}) {
  const root = tempRepo(
    {
      defaultPipeline: "ci",
      pipelines: [
        {
          ...pipeline("ci", [
            command("build", BUILD, { cache: { inputs: ["src/**"], outputs: ["dist/**"], env: ["MODE"] } }),
            command("test", `${note("test")} && cat dist/out.txt`, { cache: { inputs: ["dist/**"] } }),
            command("lint", `${note("lint")} && echo lint ok`, { needs: [], cache: { inputs: ["lint/**"] } }),
            ...extraStages,
          ]),
          ...pipelineExtra,
        },
      ],
    },
    { "src/a.txt": "one\n", "lint/rules.txt": "strict\n" },
  );
  const counter = path.join(tempDir(), "ran.log");
  fs.writeFileSync(counter, "");
  const run = (args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    fs.writeFileSync(counter, "");
    const result = startJson(root, args, { env: { COUNTER: counter, MODE: "dev", ...env } });
    const ran = fs
      .readFileSync(counter, "utf8")
      .split("\n")
      .filter((line) => line !== "");
    return { ...result, ran };
  };
  return { root, run };
}

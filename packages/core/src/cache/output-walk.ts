import path from "node:path";
import { matchPaths } from "./file-digests.js";

/**
 * The outputs a succeeded stage leaves: what its `outputs` globs match under its cwd (files,
 * folders, links; never followed), as paths relative to `root`. The run folders and version
 * control are never outputs, whatever the globs say; a match outside `root` is refused.
 */
export async function collectOutputs(options: {
  root: string;
  cwd: string;
  patterns: readonly string[];
  /** Absolute folders never stored (the runs and out directories). */
  excluded: readonly string[];
}): Promise<string[]> {
  const { root, cwd } = options;
  const ignore = [
    "**/.git",
    ...options.excluded
      .map((folder) => path.relative(cwd, folder).split(path.sep).join("/"))
      .filter((relative) => relative !== "" && !relative.startsWith("..")),
  ];
  const outputs = (await matchPaths({ cwd, patterns: options.patterns, ignore, directories: true })).map(
    (relative) => path.relative(root, path.join(cwd, relative)).split(path.sep).join("/"),
  );
  const outside = outputs.find((relative) => relative === ".." || relative.startsWith("../"));
  if (outside !== undefined) throw new Error(`output ${outside} is outside the repository`);
  return outputs;
}

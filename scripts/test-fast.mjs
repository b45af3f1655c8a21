#!/usr/bin/env node
// `pnpm test:fast`: every package's own tests, straight from the sources, with no build. The suites
// under test/ (project "e2e") run the built CLI as a user would, so they are left to `pnpm test`,
// and slow trials (*.slow.test.ts) are skipped. Extra arguments go to vitest.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
process.stderr.write(
  "test:fast: the packages' own tests, no build. Skipped: the end-to-end suites under test/ " +
    "(they run the built CLI) and *.slow.test.ts; `pnpm test` runs everything.\n",
);
const result = spawnSync(process.execPath, [vitest, "run", "--project", "!e2e", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, SKIP_SLOW_TESTS: "1" },
});
process.exit(result.status ?? 1);

/**
 * How library errors name where a value came from: the option of the programmatic API, written
 * `the \`taskId\` option`. The CLI puts its flag names in their place (apps/cli/src/errors.ts).
 */
export const OPTION = {
  taskId: "the `taskId` option",
  runId: "the `runId` argument",
  parentRunId: "the `parentRunId` option",
} as const;

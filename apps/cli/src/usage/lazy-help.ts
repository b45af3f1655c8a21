// yargs renders a command's whole help text (wrapping every option description) each time a
// command's handler starts, in case the handler asks for it later. That costs ~45 ms on every
// run of every command; ours never ask for help after their handler started, and yargs builds the
// text on demand when nothing was cached. The internal method is not in yargs' typings.
export function skipHelpPrerendering(parser: unknown): void {
  const internal = parser as {
    getInternalMethods(): { getUsageInstance(): { cacheHelpMessage: () => void } };
  };
  internal.getInternalMethods().getUsageInstance().cacheHelpMessage = () => {};
}

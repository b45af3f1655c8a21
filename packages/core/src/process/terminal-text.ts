// Escape sequences a terminal interprets: OSC (ESC ] … BEL or ESC \), CSI (ESC [ … final byte, or
// its one-byte form 0x9B), and the other two-byte ESC sequences (charset, keypad, reset).
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex
  /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b[ -/]*[0-~]/g;
// A carriage return that is not a line ending: the terminal shows only what was written after it.
const OVERWRITTEN = /[^\r\n]*\r(?=[^\r\n])/g;
// Controls left over (bell, backspace, a lone ESC …); newline and tab stay.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * Output as a terminal would show it, for the summaries and tails kept in artifacts: colours,
 * cursor moves, hyperlinks and titles removed, a line redrawn after `\r` kept in its last form.
 * Logs keep the raw output.
 */
export function stripTerminalCodes(text: string): string {
  if (!HAS_CONTROL.test(text)) return text;
  return text
    .replace(ESCAPE_SEQUENCE, "")
    .replace(/\r\n/g, "\n")
    .replace(OVERWRITTEN, "")
    .replace(CONTROL, "");
}

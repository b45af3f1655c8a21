// ANSI escape sequences (CSI, OSC and two-character ones) and other control characters that a line of
// stage output may carry; shown inside the live view they would move its cursor or change its colours.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * What a terminal would show of one output line, as plain text: what follows the last carriage
 * return (a progress bar's latest state), without escape sequences or control characters, tabs as
 * spaces.
 */
export function plainLine(line: string): string {
  const ended = line.replace(/\r+$/, ""); // a CRLF line's own return is not a redraw
  const afterReturn = ended.slice(ended.lastIndexOf("\r") + 1);
  return afterReturn.replace(ESCAPE_SEQUENCE, "").replace(/\t/g, "  ").replace(CONTROL_CHARACTER, "");
}

/** Columns a code point takes: 2 for East Asian wide characters and most emoji, else 1. */
function codePointWidth(codePoint: number): number {
  if (codePoint >= 0x300 && codePoint <= 0x36f) return 0; // combining marks
  if (codePoint === 0x200d || (codePoint >= 0xfe00 && codePoint <= 0xfe0f)) return 0; // joiners, variation selectors
  const wide =
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd);
  return wide ? 2 : 1;
}

/** The columns plain text takes on a terminal. */
export function textWidth(text: string): number {
  let width = 0;
  for (const character of text) width += codePointWidth(character.codePointAt(0) ?? 0);
  return width;
}

/** Plain text cut to at most `width` columns, ending in `…` when cut. */
export function truncateText(text: string, width: number): string {
  if (width <= 0) return "";
  if (textWidth(text) <= width) return text;
  let result = "";
  let used = 0;
  for (const character of text) {
    const next = codePointWidth(character.codePointAt(0) ?? 0);
    if (used + next > width - 1) break;
    result += character;
    used += next;
  }
  return `${result}…`;
}

/** A piece of a line and how to colour it. */
export interface Segment {
  text: string;
  paint?: (text: string) => string;
}

/** Joins coloured segments into one line of at most `width` columns (plain text is cut, never escape codes). */
export function fitSegments(segments: readonly Segment[], width: number): string {
  let remaining = width;
  let line = "";
  for (const segment of segments) {
    if (remaining <= 0) break;
    const text = truncateText(segment.text, remaining);
    remaining -= textWidth(text);
    if (text !== "") line += segment.paint === undefined ? text : segment.paint(text);
    if (text !== segment.text) break;
  }
  return line;
}

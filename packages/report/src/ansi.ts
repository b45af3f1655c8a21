import { escapeHtml } from "./escape.js";

// Select Graphic Rendition state: the only escape sequences rendered; every other one is dropped.
interface Style {
  foreground: string | null;
  background: string | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
}

const PLAIN: Style = {
  foreground: null,
  background: null,
  bold: false,
  dim: false,
  italic: false,
  underline: false,
};

// CSI sequences (SGR and the rest), OSC strings (titles, hyperlinks) and lone two-byte escapes.
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex
  /\u001b\[([0-9;?]*)([@-~])|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]?/g;

/**
 * Renders text with ANSI colour codes as escaped HTML: colours and weights become classes of
 * `<span>` elements (the palette lives in the page's style), other control sequences are removed.
 */
export function ansiToHtml(text: string): string {
  let out = "";
  let style = PLAIN;
  let open = false;
  let last = 0;
  const emit = (chunk: string) => {
    if (chunk.length === 0) return;
    const classes = classesOf(style);
    if (classes.length > 0 && !open) {
      out += `<span class="${classes}">`;
      open = true;
    }
    out += escapeHtml(chunk);
  };
  for (const match of text.matchAll(ESCAPE_SEQUENCE)) {
    emit(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[2] !== "m") continue;
    const next = applySgr(style, match[1] ?? "");
    if (open && classesOf(next) !== classesOf(style)) {
      out += "</span>";
      open = false;
    }
    style = next;
  }
  emit(text.slice(last));
  if (open) out += "</span>";
  return out;
}

/** The text without any escape sequence (what the search box matches). */
export function stripAnsi(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "");
}

function applySgr(current: Style, parameters: string): Style {
  const codes = parameters === "" ? [0] : parameters.split(";").map((code) => Number(code) || 0);
  let style = { ...current };
  for (let index = 0; index < codes.length; index++) {
    const code = codes[index] as number;
    if (code === 0) style = { ...PLAIN };
    else if (code === 1) style.bold = true;
    else if (code === 2) style.dim = true;
    else if (code === 3) style.italic = true;
    else if (code === 4) style.underline = true;
    else if (code === 22) style = { ...style, bold: false, dim: false };
    else if (code === 23) style.italic = false;
    else if (code === 24) style.underline = false;
    else if (code >= 30 && code <= 37) style.foreground = String(code - 30);
    else if (code >= 90 && code <= 97) style.foreground = String(code - 90 + 8);
    else if (code === 39) style.foreground = null;
    else if (code >= 40 && code <= 47) style.background = String(code - 40);
    else if (code >= 100 && code <= 107) style.background = String(code - 100 + 8);
    else if (code === 49) style.background = null;
    else if ((code === 38 || code === 48) && codes[index + 1] === 5) {
      // 256-colour: the 16 base colours keep their class; the rest fall back to the default.
      const value = codes[index + 2] ?? 0;
      const key = code === 38 ? "foreground" : "background";
      style[key] = value < 16 ? String(value) : null;
      index += 2;
    } else if ((code === 38 || code === 48) && codes[index + 1] === 2) index += 4;
  }
  return style;
}

function classesOf(style: Style): string {
  const classes: string[] = [];
  if (style.foreground !== null) classes.push(`f${style.foreground}`);
  if (style.background !== null) classes.push(`b${style.background}`);
  if (style.bold) classes.push("bo");
  if (style.dim) classes.push("di");
  if (style.italic) classes.push("it");
  if (style.underline) classes.push("un");
  return classes.join(" ");
}

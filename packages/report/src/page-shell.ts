import { createHash } from "node:crypto";
import { Html, html } from "./escape.js";
import { PAGE_SCRIPT } from "./page-script.js";
import { PAGE_STYLE } from "./page-style.js";

const SCRIPT_HASH = createHash("sha256").update(PAGE_SCRIPT).digest("base64");

/**
 * The policy the page runs under: nothing is fetched (no network, fonts, images or frames), and the
 * only script that runs is the page's own, allowed by its hash.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src 'sha256-${SCRIPT_HASH}'`,
  "style-src 'unsafe-inline'",
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

// Built outside the `html` template: a formatter reflowing the template must not change the
// script's bytes, or its hash in the policy would no longer match and the browser would block it.
const STYLE_ELEMENT = new Html("<style>" + PAGE_STYLE + "</style>");
const SCRIPT_ELEMENT = new Html("<script>" + PAGE_SCRIPT + "</script>");

/** A whole self-contained page: the policy, the style and the script inline, the body given. */
export function renderPage(options: { title: string; body: Html }): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${options.title}</title>
        ${STYLE_ELEMENT}
      </head>
      <body>
        <main>${options.body}</main>
        ${SCRIPT_ELEMENT}
      </body>
    </html> `.text;
}

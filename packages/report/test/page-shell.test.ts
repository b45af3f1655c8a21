import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { html } from "../src/escape.js";
import { CONTENT_SECURITY_POLICY, renderPage } from "../src/page-shell.js";

describe("the page shell", () => {
  test("the policy allows exactly the page's one inline script, and nothing from elsewhere", () => {
    const page = renderPage({ title: "<t>", body: html`<p>${"</script><script>alert(1)</script>"}</p>` });
    const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1] ?? "");
    expect(scripts).toHaveLength(1);
    const hash = createHash("sha256").update(scripts[0]!).digest("base64");
    expect(CONTENT_SECURITY_POLICY).toContain(`script-src 'sha256-${hash}'`);
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none'/);
    expect(page).toContain("<title>&lt;t&gt;</title>");
    expect(page).not.toMatch(/<(link|iframe|img|object|embed)\b/);
  });
});

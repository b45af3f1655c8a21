import { describe, expect, test } from "vitest";
import { ansiToHtml, stripAnsi } from "../src/ansi.js";
import { escapeHtml, html, Html } from "../src/escape.js";

describe("escaping", () => {
  test("every character that means something in HTML is escaped", () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;",
    );
  });

  test("the html template escapes values and keeps only the renderer's own markup", () => {
    const hostile = `</textarea><img src=x onerror=alert(1)>`;
    const out = html`<p title="${hostile}">${hostile}${new Html("<b>ok</b>")}${null}${[hostile, 1]}</p>`;
    expect(out.text).toBe(
      `<p title="&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;">&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;<b>ok</b>&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;1</p>`,
    );
  });
});

describe("ANSI colours", () => {
  test("SGR colours and weights become classes; the text is escaped", () => {
    expect(ansiToHtml("\u001b[1;31m<err>\u001b[0m plain")).toBe(
      '<span class="f1 bo">&lt;err&gt;</span> plain',
    );
    expect(ansiToHtml("\u001b[92mbright\u001b[39m")).toBe('<span class="f10">bright</span>');
    expect(ansiToHtml("\u001b[38;5;4mblue\u001b[m")).toBe('<span class="f4">blue</span>');
  });

  test("other escape sequences are removed, never shown or interpreted", () => {
    const text = "a\u001b[2Kb\u001b]0;title\u0007c\u001b]8;;http://x\u001b\\d\u001b[38;2;1;2;3me";
    expect(ansiToHtml(text)).toBe("abcde");
    expect(stripAnsi("\u001b[31mred\u001b[0m")).toBe("red");
  });

  test("an unterminated colour is closed at the end of the line", () => {
    expect(ansiToHtml("\u001b[33mwarn")).toBe('<span class="f3">warn</span>');
  });
});

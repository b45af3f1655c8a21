import { html, joinHtml, type Html } from "./escape.js";

const MAX_VALUE_CHARS = 600;

/** A recorded value as short text: strings as they are, anything else as compact JSON. */
export function valueText(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_VALUE_CHARS
    ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters)`
    : text;
}

/**
 * The fields of a record the renderer does not know (a newer manifest's `provenance`, `cache`,
 * `worker`…) as a definition list, so nothing recorded is hidden and nothing unknown breaks the page.
 */
export function renderExtraFields(record: Record<string, unknown>, known: ReadonlySet<string>): Html {
  const extra = Object.entries(record).filter(
    ([key, value]) => !known.has(key) && value !== undefined && value !== null,
  );
  if (extra.length === 0) return html``;
  return html`<dl class="facts">
    ${joinHtml(
      extra.map(
        ([key, value]) =>
          html`<dt>${key}</dt>
            <dd class="mono">${valueText(value)}</dd>`,
      ),
    )}
  </dl>`;
}

/** An object's fields as a definition list, nested objects flattened to `a.b` keys. */
export function renderObjectFields(value: unknown, prefix = ""): Html[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return [
      html`<dt>${prefix}</dt>
        <dd class="mono">${valueText(value)}</dd>`,
    ];
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
    renderObjectFields(inner, prefix === "" ? key : `${prefix}.${key}`),
  );
}

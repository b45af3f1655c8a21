import type * as z from "zod";
import { SchemaValidationError, type ValidationIssue } from "./errors.js";

/** The result of a `safeParse*` call. */
export type SafeParseResult<T> = { ok: true; value: T } | { ok: false; error: SchemaValidationError };

/** The result of a `validate*` call: every problem, with paths a person can follow. */
export interface ValidationResult {
  valid: boolean;
  errors: ValidationIssue[];
}

const IDENTIFIER_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Formats a zod issue path as `commands[0].index` (quoted brackets for odd keys). */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && IDENTIFIER_KEY.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Flattens zod issues (unions included) into path + message pairs. */
export function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: describeIssue(issue) }));
}

// zod says "expected string, received undefined" for a missing key; people read "required".
function describeIssue(issue: z.core.$ZodIssue): string {
  if (
    issue.code === "invalid_type" &&
    issue.path.length > 0 &&
    issue.message.endsWith("received undefined")
  ) {
    return `required field is missing (expected ${issue.expected})`;
  }
  // A record key that fails its own schema: say why, not just "Invalid key in record".
  if (issue.code === "invalid_key" && issue.issues[0] !== undefined) return issue.issues[0].message;
  return issue.message;
}

// A missing key of a literal or enum field (`version`, `status`, `runner`) would otherwise read
// "Invalid input: expected 1"; every missing field should say "required". Schema-level messages
// (such as the unknown stage kind one) take precedence over this per-parse map.
function describeMissingField(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.input !== undefined || issue.path === undefined || issue.path.length === 0) return undefined;
  if (issue.code === "invalid_type") return `required field is missing (expected ${issue.expected})`;
  if (issue.code === "invalid_value") {
    return `required field is missing (expected ${issue.values.map((value) => JSON.stringify(value)).join(" | ")})`;
  }
  return undefined;
}

/** The parse / safeParse / validate trio for one schema. */
export interface Validators<T> {
  /** Returns the value typed, or throws {@link SchemaValidationError}. */
  parse(value: unknown, options?: { source?: string }): T;
  /** Returns `{ ok: true, value }` or `{ ok: false, error }`; never throws. */
  safeParse(value: unknown, options?: { source?: string }): SafeParseResult<T>;
  /** Returns `{ valid, errors }` for reviewer tooling. */
  validate(value: unknown): ValidationResult;
}

/** Builds the trio for a schema; `subject` names the artifact in messages ("manifest", "config"). */
export function createValidators<S extends z.ZodType>(schema: S, subject: string): Validators<z.infer<S>> {
  const safeParse = (value: unknown, options: { source?: string } = {}): SafeParseResult<z.infer<S>> => {
    const result = schema.safeParse(value, { error: describeMissingField });
    if (result.success) return { ok: true, value: result.data };
    return {
      ok: false,
      error: new SchemaValidationError(subject, toValidationIssues(result.error), options),
    };
  };
  return {
    parse(value, options) {
      const result = safeParse(value, options);
      if (!result.ok) throw result.error;
      return result.value;
    },
    safeParse,
    validate(value) {
      const result = schema.safeParse(value, { error: describeMissingField });
      return result.success
        ? { valid: true, errors: [] }
        : { valid: false, errors: toValidationIssues(result.error) };
    },
  };
}

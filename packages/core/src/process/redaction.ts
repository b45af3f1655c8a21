/** The placeholder that replaces every secret. */
export const REDACTED = "[REDACTED]";

/** Environment variable name patterns whose values are secret unless configured otherwise. */
export const DEFAULT_SECRET_ENV_PATTERNS: readonly string[] = ["*TOKEN*", "*SECRET*", "*PASSWORD*", "*KEY*"];

// Shorter values would redact ordinary text ("1", "yes"); they are documented as not protected.
const MIN_SECRET_LENGTH = 4;

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

/** Options for {@link Redactor.fromEnvironment}. */
export interface RedactorOptions {
  env: NodeJS.ProcessEnv;
  /** Name patterns (`*` wildcard, case-insensitive); default {@link DEFAULT_SECRET_ENV_PATTERNS}. */
  envPatterns?: readonly string[];
  /** Literal secret values from the config. */
  values?: readonly string[];
}

/**
 * Replaces secret values with `[REDACTED]` in text: the raw value and its JSON-escaped form, so a
 * secret is caught both in output chunks and inside serialized JSON.
 */
export class Redactor {
  readonly #secrets: string[];
  readonly #pattern: RegExp | null;
  readonly #namePatterns: readonly RegExp[];

  constructor(
    secrets: Iterable<string>,
    namePatterns: readonly RegExp[] = DEFAULT_SECRET_ENV_PATTERNS.map(patternToRegExp),
  ) {
    this.#namePatterns = namePatterns;
    const variants = new Set<string>();
    for (const secret of secrets) {
      if (secret.length < MIN_SECRET_LENGTH) continue;
      variants.add(secret);
      variants.add(JSON.stringify(secret).slice(1, -1));
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.#secrets = [...variants].sort((left, right) => right.length - left.length);
    this.#pattern =
      this.#secrets.length === 0 ? null : new RegExp(this.#secrets.map(escapeRegExp).join("|"), "g");
  }

  /** Secrets from environment variables whose names match the patterns, plus configured values. */
  static fromEnvironment(options: RedactorOptions): Redactor {
    const patterns = (options.envPatterns ?? DEFAULT_SECRET_ENV_PATTERNS).map(patternToRegExp);
    const secrets: string[] = [...(options.values ?? [])];
    for (const [name, value] of Object.entries(options.env)) {
      if (value !== undefined && patterns.some((pattern) => pattern.test(name))) secrets.push(value);
    }
    return new Redactor(secrets, patterns);
  }

  /** Whether an environment variable name looks secret under this redactor's patterns. */
  isSecretName(name: string): boolean {
    return this.#namePatterns.some((pattern) => pattern.test(name));
  }

  /** Whether there is anything to redact. */
  get active(): boolean {
    return this.#pattern !== null;
  }

  /** The longest secret variant, which bounds how much a stream must hold back. */
  get longestSecret(): number {
    return this.#secrets[0]?.length ?? 0;
  }

  /** A redactor that also knows `more` secrets. */
  extend(more: Iterable<string>): Redactor {
    return new Redactor([...this.#secrets, ...more], this.#namePatterns);
  }

  /**
   * A redactor that also knows the secret-looking `env` values of these stages, so run-wide
   * artifacts that list stages (the stored plan) never carry them.
   */
  withStageSecrets(stages: Iterable<{ kind: string; env?: Record<string, string> | undefined }>): Redactor {
    const more: string[] = [];
    for (const stage of stages) {
      for (const [name, value] of Object.entries(stage.env ?? {}))
        if (this.isSecretName(name)) more.push(value);
    }
    return more.length === 0 ? this : this.extend(more);
  }

  /** Text with every secret replaced. */
  redact(text: string): string {
    if (this.#pattern === null) return text;
    this.#pattern.lastIndex = 0;
    return text.replace(this.#pattern, REDACTED);
  }

  /** A per-stream redactor that catches secrets split across chunks. */
  stream(): StreamRedactor {
    return new StreamRedactor(this);
  }
}

/**
 * Redacts a stream chunk by chunk. It holds back the last (longest secret − 1) characters of each
 * chunk, since a secret may continue in the next one; {@link flush} releases them at the end.
 */
export class StreamRedactor {
  readonly #redactor: Redactor;
  #pending = "";

  constructor(redactor: Redactor) {
    this.#redactor = redactor;
  }

  /** Redacted text that is safe to emit now (possibly empty). */
  push(chunk: string): string {
    if (!this.#redactor.active) return chunk;
    const text = this.#redactor.redact(this.#pending + chunk);
    const keep = Math.min(text.length, this.#redactor.longestSecret - 1);
    this.#pending = text.slice(text.length - keep);
    return text.slice(0, text.length - keep);
  }

  /** Whatever is still held back, redacted. */
  flush(): string {
    const rest = this.#redactor.redact(this.#pending);
    this.#pending = "";
    return rest;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

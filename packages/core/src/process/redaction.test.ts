import { describe, expect, it } from "vitest";
import { DEFAULT_SECRET_ENV_PATTERNS, REDACTED, Redactor, StreamRedactor } from "./redaction.js";

function streamAll(redactor: Redactor, chunks: readonly string[]): string {
  const stream = redactor.stream();
  return chunks.map((chunk) => stream.push(chunk)).join("") + stream.flush();
}

describe("Redactor", () => {
  it("replaces every occurrence of every secret, longest first", () => {
    const redactor = new Redactor(["hunter2-long", "hunter2"]);
    expect(redactor.redact("a hunter2-long b hunter2 c hunter2")).toBe(
      `a ${REDACTED} b ${REDACTED} c ${REDACTED}`,
    );
  });

  it("also replaces the JSON-escaped form of a secret", () => {
    const secret = 'pa"ss\\word\n';
    const redactor = new Redactor([secret]);
    const json = JSON.stringify({ value: `x${secret}y` });
    expect(json).not.toContain(secret);
    expect(redactor.redact(json)).toBe(JSON.stringify({ value: `x${REDACTED}y` }));
    expect(redactor.redact(`raw ${secret}`)).toBe(`raw ${REDACTED}`);
  });

  it("ignores values shorter than 4 characters", () => {
    const redactor = new Redactor(["abc", "yes"]);
    expect(redactor.active).toBe(false);
    expect(redactor.redact("abc yes")).toBe("abc yes");
    expect(new Redactor(["abcd"]).redact("xabcdx")).toBe(`x${REDACTED}x`);
  });

  it("treats regular-expression characters in secrets literally", () => {
    const redactor = new Redactor(["a.b*c+(d)"]);
    expect(redactor.redact("axbbbc+(d) a.b*c+(d)")).toBe(`axbbbc+(d) ${REDACTED}`);
  });

  it("takes secrets from environment variables matching the default patterns", () => {
    expect(DEFAULT_SECRET_ENV_PATTERNS).toEqual(["*TOKEN*", "*SECRET*", "*PASSWORD*", "*KEY*"]);
    const redactor = Redactor.fromEnvironment({
      env: {
        GITHUB_TOKEN: "ghp_abcdef",
        db_password: "s3cr3t!!",
        API_KEY_ID: "key-1234",
        HOME: "/home/someone",
      },
    });
    expect(redactor.redact("ghp_abcdef s3cr3t!! key-1234 /home/someone")).toBe(
      `${REDACTED} ${REDACTED} ${REDACTED} /home/someone`,
    );
    expect(redactor.isSecretName("my_secret_value")).toBe(true);
    expect(redactor.isSecretName("PATH")).toBe(false);
  });

  it("uses custom name patterns instead of the defaults, plus literal values", () => {
    const redactor = Redactor.fromEnvironment({
      env: { MY_CRED_A: "alpha-value", GITHUB_TOKEN: "ghp_visible" },
      envPatterns: ["my_cred_*"],
      values: ["literal-value"],
    });
    expect(redactor.redact("alpha-value ghp_visible literal-value")).toBe(
      `${REDACTED} ghp_visible ${REDACTED}`,
    );
    expect(redactor.isSecretName("GITHUB_TOKEN")).toBe(false);
  });

  it("extends with more secrets without losing the old ones", () => {
    const redactor = new Redactor(["first-secret"]).extend(["second-secret"]);
    expect(redactor.redact("first-secret second-secret")).toBe(`${REDACTED} ${REDACTED}`);
  });
});

describe("StreamRedactor", () => {
  it("redacts a secret split across chunks", () => {
    const redactor = new Redactor(["supersecretvalue"]);
    expect(streamAll(redactor, ["token=super", "secret", "value; done\n"])).toBe(`token=${REDACTED}; done\n`);
  });

  it("redacts a secret split one character per chunk", () => {
    const redactor = new Redactor(["abcdefgh"]);
    const text = "before abcdefgh after abcdefgh";
    expect(streamAll(redactor, [...text])).toBe(`before ${REDACTED} after ${REDACTED}`);
  });

  it("never emits a prefix of a secret before it knows whether the secret completes", () => {
    const redactor = new Redactor(["abcdefgh"]);
    const stream = new StreamRedactor(redactor);
    const emitted = stream.push("xx abcdefg");
    expect(emitted).not.toContain("abcd");
    expect(emitted + stream.push("h yy") + stream.flush()).toBe(`xx ${REDACTED} yy`);
  });

  it("releases held-back text on flush unchanged when no secret completes", () => {
    const redactor = new Redactor(["abcdefgh"]);
    expect(streamAll(redactor, ["one abc", "def two"])).toBe("one abcdef two");
  });

  it("passes chunks straight through when there is nothing to redact", () => {
    const stream = new Redactor([]).stream();
    expect(stream.push("chunk")).toBe("chunk");
    expect(stream.flush()).toBe("");
  });
});

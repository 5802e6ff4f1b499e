import { describe, expect, it } from "vitest";
import { keyWords, REDACTED, Redactor, redact } from "../../src/observe/redact.js";

describe("redact", () => {
  it("redacts secret keys by word in nested objects and arrays, listing their paths", () => {
    const input = {
      headers: { Authorization: "Basic abc", "set-cookie": "s=1", "x-api-key": "k1" },
      users: [
        { name: "ann", password: "p1" },
        { name: "bob", accessToken: "t1" },
      ],
      client_secret: "c1",
      apiKey: "k2",
      APIKEY: "k3",
      private_key: "k4",
      nested: { deeper: [{ refreshToken: "t2" }] },
    };
    const { value, redactions } = redact(input);
    expect(value).toEqual({
      headers: { Authorization: REDACTED, "set-cookie": REDACTED, "x-api-key": REDACTED },
      users: [
        { name: "ann", password: REDACTED },
        { name: "bob", accessToken: REDACTED },
      ],
      client_secret: REDACTED,
      apiKey: REDACTED,
      APIKEY: REDACTED,
      private_key: REDACTED,
      nested: { deeper: [{ refreshToken: REDACTED }] },
    });
    expect(redactions).toEqual([
      "$.headers.Authorization",
      '$.headers["set-cookie"]',
      '$.headers["x-api-key"]',
      "$.users[0].password",
      "$.users[1].accessToken",
      "$.client_secret",
      "$.apiKey",
      "$.APIKEY",
      "$.private_key",
      "$.nested.deeper[0].refreshToken",
    ]);
  });

  it("keeps flags under secret names: a boolean cannot carry a secret", () => {
    const { value, redactions } = redact({ requiresPassword: true, token: false, cookie: null, secret: "" });
    expect(value).toEqual({ requiresPassword: true, token: false, cookie: null, secret: "" });
    expect(redactions).toEqual([]);
  });

  it("keeps usage figures whose names contain token as a word part: maxTokens, inputTokens, tokenCount", () => {
    const usage = { maxTokens: 100, inputTokens: 12, outputTokens: 3, tokenCount: 15, max_tokens: 9, "token-count": 1, tokenizer: "bpe" };
    const { value, redactions } = redact(usage);
    expect(value).toEqual(usage);
    expect(redactions).toEqual([]);
  });

  it("redacts secret-shaped values inside strings: bearer tokens, sk- keys, AWS access keys, PEM keys, JWTs", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----";
    const { value, redactions } = redact({
      log: ["calling with Bearer abcdefgh12345678", `key sk-proj-ABCDEFGHIJKLMNOPQRST used`],
      aws: "AKIAIOSFODNN7EXAMPLE",
      cert: `before ${pem} after`,
      session: jwt,
      plain: "nothing to see",
    });
    expect(value).toEqual({
      log: [`calling with ${REDACTED}`, `key ${REDACTED} used`],
      aws: REDACTED,
      cert: `before ${REDACTED} after`,
      session: REDACTED,
      plain: "nothing to see",
    });
    expect(redactions).toEqual(["$.log[0]", "$.log[1]", "$.aws", "$.cert", "$.session"]);
  });

  it("redacts known values wherever they appear, and the lists are configurable", () => {
    const redactor = new Redactor({ keys: ["pin"], valuePatterns: [/\bacct-\d+/], knownValues: ["hunter22"] });
    const { value, redactions } = redactor.redact({ pin: "1234", password: "kept: not in this policy", note: "pw hunter22 for acct-991" });
    expect(value).toEqual({ pin: REDACTED, password: "kept: not in this policy", note: `pw ${REDACTED} for ${REDACTED}` });
    expect(redactions).toEqual(["$.pin", "$.note"]);
  });

  it("renames a key that holds a secret (numbered when two do), and its path never names the secret", () => {
    const redactor = new Redactor({ knownValues: ["hunter22", "swordfish9"] });
    const { value, redactions } = redactor.redact({ byKey: { "user:hunter22": 1, hunter22: { n: 2 }, swordfish9: 3, ok: 4 } });
    expect(value).toEqual({ byKey: { "user:[REDACTED]": 1, "[REDACTED]": { n: 2 }, "[REDACTED]#2": 3, ok: 4 } });
    expect(redactions).toEqual(['$.byKey["user:[REDACTED]"]', '$.byKey["[REDACTED]"]', '$.byKey["[REDACTED]#2"]']);
    expect(JSON.stringify(redactions)).not.toMatch(/hunter22|swordfish9/);
  });

  it("mayHoldSecret, the journal guard's copy-free scan, is true wherever redact finds something and false on plain values", () => {
    const redactor = new Redactor({ knownValues: ["hunter22"] });
    const holding = [
      { apiKey: "k" },
      { nested: [{ refreshToken: "t" }] },
      ["calling with Bearer abcdefgh12345678"],
      "AKIAIOSFODNN7EXAMPLE",
      { note: "pw hunter22" },
      { "user:hunter22": 1 },
      { deep: { deeper: { list: [1, 2, { password: 0 }] } } },
    ];
    for (const value of holding) {
      expect(redactor.redact(value).redactions.length, JSON.stringify(value)).toBeGreaterThan(0);
      expect(redactor.mayHoldSecret(value), JSON.stringify(value)).toBe(true);
    }
    const plain = [
      { key: "charge#0", attempt: 1 },
      { requiresPassword: true, token: false, cookie: null, secret: "" },
      { maxTokens: 100, inputTokens: 12, tokenCount: 15 },
      [1, "two", { three: [null, 3.5] }],
      "nothing to see",
      42,
      null,
    ];
    for (const value of plain) {
      expect(redactor.redact(value).redactions, JSON.stringify(value)).toEqual([]);
      expect(redactor.mayHoldSecret(value), JSON.stringify(value)).toBe(false);
    }
    // The same answers a second time, from the key cache.
    expect(redactor.mayHoldSecret({ apiKey: "k" })).toBe(true);
    expect(redactor.mayHoldSecret({ maxTokens: 1 })).toBe(false);
  });

  it("splits camelCase, snake_case and kebab-case keys into words", () => {
    expect(keyWords("xApiKey")).toEqual(["x", "api", "key"]);
    expect(keyWords("HTTPCookie")).toEqual(["http", "cookie"]);
    expect(keyWords("client-secret_value")).toEqual(["client", "secret", "value"]);
  });
});

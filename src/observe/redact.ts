// Redaction: replaces secrets in any JSON value by "[REDACTED]" and lists the JSON path of each one. Pure: the
// same value and policy always give the same result. Keys are matched by word (camelCase, snake_case and
// kebab-case are split), so `apiKey` and `client_secret` are secrets while `maxTokens` and `tokenCount` are not.

export const REDACTED = "[REDACTED]";

/** What counts as a secret. Every list replaces the default when given. */
export interface RedactionPolicy {
  /**
   * Secret key names as word sequences ("api_key", "private key", "apikey"). A key is secret when its words end
   * with one of these, optionally followed by a word of `keySuffixes`. default DEFAULT_SECRET_KEYS
   */
  keys?: string[];
  /** Words that may follow a secret name and keep it secret (`passwordValue`, `authorizationHeader`). default DEFAULT_KEY_SUFFIXES */
  keySuffixes?: string[];
  /** Patterns of secret-shaped values; a match inside a string redacts that part. default DEFAULT_VALUE_PATTERNS */
  valuePatterns?: RegExp[];
  /** Exact values known to be secret (for example, read through ctx.secrets); found anywhere inside strings. */
  knownValues?: Iterable<string>;
}

export const DEFAULT_SECRET_KEYS = [
  "secret",
  "secrets",
  "token",
  "password",
  "passwd",
  "passphrase",
  "authorization",
  "cookie",
  "cookies",
  "api_key",
  "apikey",
  "private_key",
  "secret_key",
  "access_key",
  "credentials",
];

export const DEFAULT_KEY_SUFFIXES = ["value", "header", "string"];

export const DEFAULT_VALUE_PATTERNS: RegExp[] = [
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g,
];

export interface Redacted<T = unknown> {
  value: T;
  /** JSON paths (`$.headers.authorization`, `$.items[2]`) of the values that were replaced. */
  redactions: string[];
}

/** Splits a key into lowercase words: `xApiKey` → x api key, `HTTPCookie` → http cookie, `client-secret` → client secret. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

/** A compiled policy: one object reused for many values. */
export class Redactor {
  private readonly names: string[][];
  private readonly suffixes: Set<string>;
  private readonly patterns: RegExp[];
  private readonly known: Set<string>;

  constructor(policy: RedactionPolicy = {}) {
    this.names = (policy.keys ?? DEFAULT_SECRET_KEYS).map(keyWords).filter((w) => w.length > 0);
    this.suffixes = new Set((policy.keySuffixes ?? DEFAULT_KEY_SUFFIXES).map((s) => s.toLowerCase()));
    this.patterns = (policy.valuePatterns ?? DEFAULT_VALUE_PATTERNS).map(
      (p) => new RegExp(p.source, p.flags.includes("g") ? p.flags : `${p.flags}g`),
    );
    this.known = new Set([...(policy.knownValues ?? [])].filter((v) => v.length >= 4));
  }

  /** Adds a value known to be secret (at least 4 characters; shorter ones would redact ordinary text). */
  addKnown(value: string): void {
    if (value.length >= 4) this.known.add(value);
  }

  /** True when a key names a secret. */
  isSecretKey(key: string): boolean {
    const words = keyWords(key);
    const end = words.length > 1 && this.suffixes.has(words[words.length - 1] as string) ? words.length - 1 : words.length;
    return this.names.some((name) => endsWith(words, end, name));
  }

  /** Replaces secret parts of a string; returns it unchanged when there are none. */
  redactString(text: string): string {
    let out = text;
    for (const value of this.known) if (out.includes(value)) out = out.split(value).join(REDACTED);
    for (const pattern of this.patterns) out = out.replace(pattern, REDACTED);
    return out;
  }

  /** A copy of `value` with secrets replaced, and the paths where they were. */
  redact<T>(value: T, root = "$"): Redacted<T> {
    const redactions: string[] = [];
    const walk = (node: unknown, path: string): unknown => {
      if (typeof node === "string") {
        const out = this.redactString(node);
        if (out !== node) redactions.push(path);
        return out;
      }
      if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}[${i}]`));
      if (node === null || typeof node !== "object") return node;
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
        const childPath = `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`;
        // null, "" and booleans (`requiresPassword: true`) cannot carry a secret: they stay, so flags survive.
        if (this.isSecretKey(key) && child !== null && child !== undefined && child !== "" && typeof child !== "boolean") {
          out[key] = REDACTED;
          redactions.push(childPath);
        } else {
          out[key] = walk(child, childPath);
        }
      }
      return out;
    };
    return { value: walk(value, root) as T, redactions };
  }
}

function endsWith(words: string[], end: number, name: string[]): boolean {
  if (name.length > end) return false;
  for (let i = 0; i < name.length; i++) if (words[end - name.length + i] !== name[i]) return false;
  return true;
}

/** Redacts one value with a policy (or the default one). */
export function redact<T>(value: T, policy?: RedactionPolicy | Redactor): Redacted<T> {
  const redactor = policy instanceof Redactor ? policy : new Redactor(policy);
  return redactor.redact(value);
}

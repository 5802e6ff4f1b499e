// Redaction: replaces secrets in any JSON value by "[REDACTED]" and lists the JSON path of each one. Pure: the
// same value and policy always give the same result. Keys are matched by word (camelCase, snake_case and
// kebab-case are split), so `apiKey` and `client_secret` are secrets while `maxTokens` and `tokenCount` are not.
// Keys are strings too: a key holding a secret is renamed, and paths name the renamed key, never the secret.

import { SECRET_SHAPES } from "./secret-shapes.js";

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

/** Credential shapes from a maintained catalogue; see secret-shapes.ts. */
export const DEFAULT_VALUE_PATTERNS: RegExp[] = SECRET_SHAPES.map((s) => s.pattern);

/**
 * The shortest value redacted as a known secret. A shorter one cannot be redacted without shredding ordinary text
 * (every "a", "id" or "ok" in the journal), and is too short to be a credential (a few thousand guesses): the
 * vault refuses such a value (`secret_too_short`) instead of handing out a secret it cannot keep out of view.
 */
export const MIN_SECRET_LENGTH = 4;

/** How many keys' isSecretKey answers a redactor keeps. */
const KEY_CACHE_SIZE = 10_000;

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
  /** isSecretKey per key seen: the same few keys (key, attempt, result…) come by on every journaled event. */
  private readonly secretKeys = new Map<string, boolean>();

  constructor(policy: RedactionPolicy = {}) {
    this.names = (policy.keys ?? DEFAULT_SECRET_KEYS).map(keyWords).filter((w) => w.length > 0);
    this.suffixes = new Set((policy.keySuffixes ?? DEFAULT_KEY_SUFFIXES).map((s) => s.toLowerCase()));
    this.patterns = combined(policy.valuePatterns ?? DEFAULT_VALUE_PATTERNS);
    this.known = new Set([...(policy.knownValues ?? [])].filter((v) => v.length >= MIN_SECRET_LENGTH));
  }

  /** Adds a value known to be secret; values shorter than MIN_SECRET_LENGTH are not redactable and are ignored. */
  addKnown(value: string): void {
    if (value.length >= MIN_SECRET_LENGTH) this.known.add(value);
  }

  /** True when a key names a secret. */
  isSecretKey(key: string): boolean {
    let secret = this.secretKeys.get(key);
    if (secret === undefined) {
      const words = keyWords(key);
      const end = words.length > 1 && this.suffixes.has(words[words.length - 1] as string) ? words.length - 1 : words.length;
      secret = this.names.some((name) => endsWith(words, end, name));
      // Keys are usually a program's field names; a flood of generated ones must not grow the cache without end.
      if (this.secretKeys.size >= KEY_CACHE_SIZE) this.secretKeys.clear();
      this.secretKeys.set(key, secret);
    }
    return secret;
  }

  /**
   * True when `value` may hold a secret that `redact` would replace; never false when it does. It walks without
   * copying, so checking a value that holds none (nearly every one) costs no allocation.
   */
  mayHoldSecret(value: unknown): boolean {
    if (typeof value === "string") return this.textHoldsSecret(value);
    if (Array.isArray(value)) return value.some((item) => this.mayHoldSecret(item));
    if (value === null || typeof value !== "object") return false;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const child = (value as Record<string, unknown>)[key];
      if (this.textHoldsSecret(key)) return true;
      if (this.isSecretKey(key) && child !== null && child !== undefined && child !== "" && typeof child !== "boolean") return true;
      if (this.mayHoldSecret(child)) return true;
    }
    return false;
  }

  /** True when redactString would change `text` (or, for a known value that redacts to itself, might). */
  private textHoldsSecret(text: string): boolean {
    for (const value of this.known) if (text.includes(value)) return true;
    // search() ignores the global flag's lastIndex, so the shared expressions stay stateless.
    for (const pattern of this.patterns) if (text.search(pattern) >= 0) return true;
    return false;
  }

  /** Replaces secret parts of a string; returns it unchanged when there are none. */
  redactString(text: string): string {
    let out = text;
    for (const value of this.known) if (out.includes(value)) out = out.split(value).join(REDACTED);
    for (const pattern of this.patterns) out = out.replace(pattern, REDACTED);
    return out;
  }

  /** The key under which a value is kept: redacted when it holds a secret, numbered when that name is taken. */
  private redactKey(key: string, taken: Record<string, unknown>): string {
    const redacted = this.redactString(key);
    if (redacted === key) return key;
    let name = redacted;
    for (let n = 2; Object.hasOwn(taken, name); n++) name = `${redacted}#${n}`;
    return name;
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
      for (const [rawKey, child] of Object.entries(node as Record<string, unknown>)) {
        const key = this.redactKey(rawKey, out);
        const childPath = `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`;
        if (key !== rawKey) redactions.push(childPath);
        // null, "" and booleans (`requiresPassword: true`) cannot carry a secret: they stay, so flags survive.
        if (this.isSecretKey(rawKey) && child !== null && child !== undefined && child !== "" && typeof child !== "boolean") {
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

/**
 * The patterns as few global regular expressions as their flags allow: one alternation scans a string once
 * instead of once per shape (the catalogue has about thirty).
 */
function combined(patterns: RegExp[]): RegExp[] {
  const byFlags = new Map<string, string[]>();
  for (const p of patterns) {
    const flags = p.flags.includes("g") ? p.flags : `${p.flags}g`;
    byFlags.set(flags, [...(byFlags.get(flags) ?? []), `(?:${p.source})`]);
  }
  return [...byFlags].map(([flags, sources]) => new RegExp(sources.join("|"), flags));
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

// The secrets a run reads (`ctx.secrets.get`) and the guard that keeps secrets out of the journal. Every value
// read through the vault becomes a known secret of its redactor, so it is redacted wherever it appears later.
import { DuroError, type ErrorInfo, inputError, type JournalGuard, type SecretReader } from "../core/index.js";
import { MIN_SECRET_LENGTH, type RedactionPolicy, Redactor } from "./redact.js";

export interface SecretVaultOptions {
  /** Fixed values by name (tests, mocks); looked up first. */
  values?: Record<string, string>;
  /** A secrets provider (Vault, a cloud secret manager…); looked up next. */
  provider?: (name: string) => string | undefined;
  /** Looked up last. default process.env; pass {} to read no environment. */
  env?: Record<string, string | undefined>;
  /** The redactor that learns each value read; default a new one with the default policy. */
  redactor?: Redactor;
}

/** `ctx.secrets`: reads by name and teaches its redactor every value it hands out. */
export class SecretVault implements SecretReader {
  readonly redactor: Redactor;
  /** Names read so far (never values). */
  readonly read = new Set<string>();

  constructor(private readonly options: SecretVaultOptions = {}) {
    this.redactor = options.redactor ?? new Redactor();
    for (const value of Object.values(options.values ?? {})) this.redactor.addKnown(value);
  }

  get(name: string): string {
    const value = this.options.values?.[name] ?? this.options.provider?.(name) ?? (this.options.env ?? process.env)[name];
    if (value === undefined || value === "") {
      throw inputError(
        "secret_not_found",
        `secret "${name}" is not set; set the environment variable ${name}, add it to the secrets mock, or configure a secrets provider`,
        { secret: name },
      );
    }
    if (value.length < MIN_SECRET_LENGTH) {
      throw inputError(
        "secret_too_short",
        `secret "${name}" is ${value.length} character(s) long; duro redacts secret values of at least ${MIN_SECRET_LENGTH} characters (a shorter one would redact ordinary text everywhere), so it will not hand out one it cannot keep out of the journal, transcripts and logs: use a longer value`,
        { secret: name, minLength: MIN_SECRET_LENGTH },
      );
    }
    this.redactor.addKnown(value);
    this.read.add(name);
    return value;
  }
}

/**
 * The journal keeps what replay needs, so secrets are refused there: a value holding one (by key name, shape,
 * or a value read through ctx.secrets) throws `secret_in_journal` naming the JSON paths, never the value; an
 * error holding one is journaled as a `secret_in_journal` error that keeps the original code.
 */
export function secretGuard(redactor: Redactor = new Redactor()): JournalGuard {
  return {
    check(value, rawWhere) {
      // Every journaled value passes here: the copy-free scan clears nearly all of them, the copy names the paths.
      if (!redactor.mayHoldSecret(value)) return;
      const { redactions } = redactor.redact(value);
      if (redactions.length === 0) return;
      // `where` names a step, an event key or a gate: it may hold the secret being refused.
      const where = redactor.redactString(rawWhere);
      throw new DuroError(
        "secret_in_journal",
        `the ${where} holds a secret at ${redactions.join(", ")}; secrets are never journaled: read them inside steps with ctx.secrets.get(name) and keep them out of inputs, results and errors`,
        { category: "input", retryable: false, details: { where, paths: redactions } },
      );
    },
    error(error: ErrorInfo, rawWhere) {
      if (!redactor.mayHoldSecret(error)) return error;
      const { redactions } = redactor.redact(error);
      if (redactions.length === 0) return error;
      const where = redactor.redactString(rawWhere);
      return {
        code: "secret_in_journal",
        message: `the ${where} held a secret (at ${redactions.join(", ")}) and was not journaled; its code was ${error.code}. Keep secrets out of error messages`,
        category: error.category ?? "step",
        retryable: error.retryable ?? false,
        details: { where, paths: redactions, originalCode: error.code },
      };
    },
  };
}

/** A redactor, a vault feeding it, and the guard using it: what a dev-loop engine is given. */
export function secretsSetup(policy: RedactionPolicy = {}, vault: Omit<SecretVaultOptions, "redactor"> = {}) {
  const redactor = new Redactor(policy);
  const secrets = new SecretVault({ ...vault, redactor });
  return { redactor, secrets, journalGuard: secretGuard(redactor) };
}

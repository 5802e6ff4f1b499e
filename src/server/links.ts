// Signed approval links: a token naming a run, a gate and an expiry, signed with HMAC-SHA256 under a secret kept in
// the database (so every server process and every deploy accepts it), and usable once (the store records its nonce).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { DuroError, toMs } from "../core/index.js";
import { type Access, type Store, TERMINAL_STATUSES } from "../store/index.js";

const SECRET_NAME = "approval-links";
export const DEFAULT_LINK_TTL = "7d";
/** The longest a link may work: a link is a credential, and one that outlives the decision it was made for is a risk. */
export const MAX_LINK_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface LinkClaims {
  runId: string;
  gate: string;
  tenant: string;
  /** epoch ms */
  expiresAt: number;
  nonce: string;
}

/** The signing key: created (32 random bytes) by the first server or CLI that needs it, then the same for all. */
export async function linkSecret(store: Pick<Access, "secret">): Promise<Buffer> {
  return Buffer.from(await store.secret(SECRET_NAME, randomBytes(32).toString("base64url")), "base64url");
}

/**
 * A signed token for one decision on `gate` of a run, valid for `expires` (a duration such as "7d", more than 0 and
 * at most 30 days). Refused for a run that ended (`run_terminal`) and for a gate the run cannot be asked about: when
 * the run waits for approvals now, the gate must be one of them (`gate_not_found`); a run that has not reached an
 * approval yet may get links for gates it will wait on later.
 */
export async function signLink(
  store: Pick<Store, "secret" | "getRun" | "openWaits">,
  claims: { runId: string; gate: string; tenant: string },
  expires: string,
  now: number,
): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = now + linkTtl(expires);
  await checkLinkTarget(store, claims.runId, claims.gate);
  const body = Buffer.from(JSON.stringify({ ...claims, expiresAt, nonce: randomBytes(12).toString("base64url") })).toString("base64url");
  return { token: `${body}.${sign(await linkSecret(store), body)}`, expiresAt };
}

function linkTtl(expires: string): number {
  const ms = toMs(expires);
  if (ms > 0 && ms <= MAX_LINK_TTL_MS) return ms;
  throw new DuroError(
    "invalid_link_expiry",
    `an approval link must expire after more than 0 and at most 30 days, not "${expires}"; pass e.g. --expires 7d (expires: "12h")`,
    { category: "input", details: { expires, maxMs: MAX_LINK_TTL_MS } },
  );
}

async function checkLinkTarget(store: Pick<Store, "getRun" | "openWaits">, runId: string, gate: string): Promise<void> {
  const run = await store.getRun(runId);
  if (!run) throw new DuroError("run_not_found", `no run with id "${runId}"`, { category: "input", details: { runId } });
  if (TERMINAL_STATUSES.has(run.status)) {
    throw new DuroError("run_terminal", `run ${runId} is ${run.status}; it takes no more decisions, so it gets no approval link`, {
      category: "input",
      details: { runId, status: run.status },
    });
  }
  const approvals = (await store.openWaits({ runId })).filter((w) => w.kind === "approval");
  if (approvals.length === 0 || approvals.some((w) => w.gate === gate || w.key === gate)) return;
  const open = approvals.map((w) => w.gate ?? w.key);
  throw new DuroError(
    "gate_not_found",
    `run ${runId} waits for approval ${open.map((g) => `"${g}"`).join(", ")}, not "${gate}"; make the link for one of these`,
    { category: "input", details: { runId, gate, open } },
  );
}

/** The claims of a token this database signed and that has not expired; `invalid_link` or `link_expired` otherwise. */
export async function verifyLink(store: Pick<Access, "secret">, token: string, now: number): Promise<LinkClaims> {
  const [body = "", signature = ""] = token.split(".");
  const expected = Buffer.from(sign(await linkSecret(store), body));
  const given = Buffer.from(signature);
  if (body === "" || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DuroError("invalid_link", "this approval link is not valid (altered, or signed by another database); ask for a new one", {
      category: "auth",
    });
  }
  const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as LinkClaims;
  if (claims.expiresAt <= now) {
    throw new DuroError("link_expired", `this approval link expired at ${new Date(claims.expiresAt).toISOString()}; ask for a new one`, {
      category: "input",
      details: { expiredAt: new Date(claims.expiresAt).toISOString() },
    });
  }
  return claims;
}

/** Marks the link used; throws `link_used` when it was used before. */
export async function useLink(store: Pick<Access, "useToken">, claims: LinkClaims): Promise<void> {
  if (await store.useToken(`link:${claims.nonce}`, claims.expiresAt)) return;
  throw new DuroError("link_used", "this approval link was already used; each link decides once", { category: "input" });
}

function sign(secret: Buffer, body: string): string {
  return createHmac("sha256", secret).update(body).digest("base64url");
}

// API keys: a random token shown once, stored only as its sha256; a key belongs to one tenant and has one role.
import { createHash, randomBytes } from "node:crypto";
import { DuroError } from "../core/index.js";
import type { Access, ApiKeyRecord, ApiRole } from "../store/index.js";

export const ROLE_RANK: Record<ApiRole, number> = { viewer: 0, operator: 1, admin: 2 };
const TENANT = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface NewKeyOptions {
  tenant: string;
  role: ApiRole;
  name?: string;
  /** epoch ms; default Date.now() */
  now?: number;
}

/** A key as shown to its owner once: the token plus the stored record (without its hash). */
export interface CreatedKey {
  token: string;
  key: PublicKey;
}

export type PublicKey = Omit<ApiKeyRecord, "hash">;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function checkTenant(tenant: string): string {
  if (!TENANT.test(tenant))
    throw new DuroError(
      "invalid_tenant",
      `tenant "${tenant}" must be 1-63 characters of a-z, 0-9, "-" and "_", starting with a letter or digit`,
      {
        category: "input",
        details: { tenant },
      },
    );
  return tenant;
}

export function checkRole(role: string): ApiRole {
  if (role in ROLE_RANK) return role as ApiRole;
  throw new DuroError("invalid_role", `role must be admin, operator or viewer, not "${role}"`, { category: "input", details: { role } });
}

/** Creates a key in the store; the token (32 random bytes) is returned here and nowhere else. */
export async function createApiKey(store: Pick<Access, "createApiKey">, options: NewKeyOptions): Promise<CreatedKey> {
  const token = `duro_${randomBytes(32).toString("base64url")}`;
  const record: ApiKeyRecord = {
    id: `k_${randomBytes(8).toString("hex")}`,
    tenant: checkTenant(options.tenant),
    role: checkRole(options.role),
    hash: hashToken(token),
    createdAt: options.now ?? Date.now(),
    ...(options.name === undefined ? {} : { name: options.name }),
  };
  await store.createApiKey(record);
  return { token, key: publicKey(record) };
}

export function publicKey(record: ApiKeyRecord): PublicKey {
  const { hash: _hash, ...rest } = record;
  return rest;
}

/** The live key a bearer token names, or an `unauthorized` error that does not say which part was wrong. */
export async function authenticate(store: Pick<Access, "findApiKey">, header: string | undefined): Promise<ApiKeyRecord> {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
  if (!token) throw unauthorized("send an API key: Authorization: Bearer <token> (create one with duro keys create)");
  const key = await store.findApiKey(hashToken(token));
  if (!key || key.revokedAt !== undefined) throw unauthorized("the API key is unknown or revoked");
  return key;
}

function unauthorized(message: string): DuroError {
  return new DuroError("unauthorized", message, { category: "auth" });
}

/** Refuses a key whose role is below `needed`. */
export function requireRole(key: { role: ApiRole }, needed: ApiRole, action: string): void {
  if (ROLE_RANK[key.role] >= ROLE_RANK[needed]) return;
  throw new DuroError("forbidden", `${action} needs the ${needed} role; this key is ${key.role}`, {
    category: "auth",
    details: { role: key.role, needed },
  });
}

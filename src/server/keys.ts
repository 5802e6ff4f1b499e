// API keys: a random token shown once, stored only as its sha256; a key belongs to one tenant and has one role. An
// admin key may instead be an all-tenants key (tenant "*"): it reads and acts on runs of every tenant and may filter
// by tenant, but what belongs to one tenant from the start (a new run, an event, a key) it leaves to that tenant's keys.
import { createHash, randomBytes } from "node:crypto";
import { DuroError } from "../core/index.js";
import type { Access, ApiKeyRecord, ApiRole } from "../store/index.js";

export const ROLE_RANK: Record<ApiRole, number> = { viewer: 0, operator: 1, admin: 2 };
const TENANT = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The tenant of an all-tenants admin key (`duro keys create --all-tenants --role admin`). */
export const ALL_TENANTS = "*";

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
    tenant: options.tenant === ALL_TENANTS ? allTenantsRole(options.role) : checkTenant(options.tenant),
    role: checkRole(options.role),
    hash: hashToken(token),
    createdAt: options.now ?? Date.now(),
    ...(options.name === undefined ? {} : { name: options.name }),
  };
  await store.createApiKey(record);
  return { token, key: publicKey(record) };
}

/** An all-tenants key must be an admin: reading every tenant's runs is an administrator's view. */
function allTenantsRole(role: string): string {
  if (role === "admin") return ALL_TENANTS;
  throw new DuroError("invalid_tenant", `an all-tenants key must have the admin role, not "${role}"; give it --role admin`, {
    category: "input",
    details: { tenant: ALL_TENANTS, role },
  });
}

/**
 * The tenant a listing covers: a single-tenant key's own (asking for another is refused), an all-tenants key's
 * `requested` one, or undefined for every tenant.
 */
export function tenantScope(key: { tenant: string }, requested: string | undefined): string | undefined {
  if (key.tenant === ALL_TENANTS) return requested === undefined ? undefined : checkTenant(requested);
  if (requested === undefined || requested === key.tenant) return key.tenant;
  throw new DuroError(
    "forbidden",
    `this key belongs to tenant "${key.tenant}" and sees only its runs; listing tenant "${requested}" needs an all-tenants admin key (duro keys create --all-tenants --role admin)`,
    { category: "auth", details: { tenant: key.tenant, requested } },
  );
}

/** The key's one tenant, for what belongs to a single tenant; an all-tenants key is refused with `tenant_required`. */
export function singleTenant(key: { tenant: string }, action: string): string {
  if (key.tenant !== ALL_TENANTS) return key.tenant;
  throw new DuroError(
    "tenant_required",
    `${action} belongs to one tenant and this key is an all-tenants key; use a key of that tenant (duro keys create --tenant <t>)`,
    { category: "input" },
  );
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

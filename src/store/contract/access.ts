// The access role: what the HTTP API needs to authenticate callers: API keys (stored as token hashes only),
// server secrets agreed on by every process, and single-use tokens.

export type ApiRole = "admin" | "operator" | "viewer";

/** An API key as stored: its token's sha256 (hex), never the token. */
export interface ApiKeyRecord {
  id: string;
  tenant: string;
  role: ApiRole;
  /** sha256 (hex) of the token */
  hash: string;
  name?: string;
  /** epoch ms */
  createdAt: number;
  /** epoch ms */
  revokedAt?: number;
}

export interface Access {
  /** Saves a new API key (only the hash of its token). */
  createApiKey(key: ApiKeyRecord): Promise<void>;
  /** The key whose token has this hash, revoked or not. */
  findApiKey(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Keys, oldest first; only one tenant's when given. */
  listApiKeys(filter?: { tenant?: string }): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked (from now on); returns it, or undefined when no key has this id. Revoking twice keeps the first time. */
  revokeApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  /** The secret named `name`: the first caller's `candidate` is kept, and every later call, in any process, gets that one. */
  secret(name: string, candidate: string): Promise<string>;
  /** Records a single-use token as used; false when it was used before. `expiresAt` (epoch ms) lets old entries be purged. */
  useToken(id: string, expiresAt: number): Promise<boolean>;
}

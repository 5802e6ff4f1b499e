// The UI's access to the API: JSON requests with the stored key, and event streams read with fetch (EventSource
// cannot send an Authorization header) that reconnect with Last-Event-ID so no journal event is missed or repeated.

const KEY = "duro.apiKey";

/**
 * Where the API is: the path the UI's page was served at (routes live in the hash), "" under `duro serve` and e.g.
 * "/duro" when an app mounts duro/http's handler there.
 */
const BASE = location.pathname.replace(/\/(index\.html)?$/, "");

export function apiKey(): string {
  return localStorage.getItem(KEY) ?? "";
}

export function setApiKey(key: string): void {
  meCache = undefined;
  if (key) localStorage.setItem(KEY, key);
  else localStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = apiKey();
  return { ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra };
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(BASE + path, {
    method,
    headers: headers(body === undefined ? {} : { "content-type": "application/json" }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!response.ok) throw new ApiError(response.status, data.error?.code ?? "http_error", data.error?.message ?? response.statusText);
  return data as T;
}

export interface StreamMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Follows an SSE endpoint until `end` arrives or the returned function is called; after a dropped connection it
 * reconnects (after `retryMs`) from the last id it saw. With `after`, it starts past that id.
 */
export function follow(path: string, onMessage: (message: StreamMessage) => void, retryMs = 1_000, after?: string): () => void {
  const abort = new AbortController();
  let lastId: string | undefined = after;
  let ended = false;
  const run = async () => {
    while (!abort.signal.aborted && !ended) {
      try {
        const response = await fetch(BASE + path, {
          headers: headers(lastId === undefined ? {} : { "last-event-id": lastId }),
          signal: abort.signal,
        });
        if (!response.ok || !response.body) throw new Error(`stream ${response.status}`);
        await readMessages(response.body, (message) => {
          if (message.id !== undefined) lastId = message.id;
          if (message.event === "end") ended = true;
          onMessage(message);
        });
      } catch {
        if (abort.signal.aborted) return;
      }
      if (!ended) await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  };
  void run();
  return () => abort.abort();
}

async function readMessages(body: ReadableStream<Uint8Array>, onMessage: (message: StreamMessage) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
      if (block.startsWith(":")) continue;
      const message: StreamMessage = { event: "message", data: "" };
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, "");
        if (field === "id") message.id = value;
        else if (field === "event") message.event = value;
        else if (field === "data") message.data += message.data ? `\n${value}` : value;
      }
      onMessage(message);
    }
  }
}

export type Role = "viewer" | "operator" | "admin";

/** The calling key as GET /v1/me tells it. */
export interface Me {
  keyId: string;
  /** "*" for an all-tenants key. */
  tenant: string;
  role: Role;
  /** The key sees every tenant's runs and may filter by tenant. */
  allTenants?: boolean;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
let meCache: { key: string; me: Promise<Me> } | undefined;

/** The current key's tenant and role, asked once per key. */
export function me(): Promise<Me> {
  const key = apiKey();
  if (meCache?.key !== key) {
    const me = api<Me>("GET", "/v1/me");
    meCache = { key, me };
    me.catch(() => {
      if (meCache?.me === me) meCache = undefined;
    });
  }
  return meCache.me;
}

/** Whether `role` may do what needs `needed` (the server's rule, so the UI hides what it would refuse). */
export function allows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

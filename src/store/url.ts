// Opens a store from a URL, the form every CLI command's --db takes: `sqlite:path/to/file.db[?synchronous=full]`
// (a bare path ending in .db or .sqlite works too).
import { DuroError } from "../core/index.js";
import { openSqliteStore } from "./sqlite/store.js";
import type { Store } from "./store.js";

export const DEFAULT_DB_URL = "sqlite:.duro/duro.db";

export interface ParsedDbUrl {
  kind: "sqlite";
  path: string;
  synchronous: "normal" | "full";
}

export function parseDbUrl(url: string): ParsedDbUrl {
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new DuroError(
      "db_unsupported",
      "PostgreSQL is not supported by this version of duro yet; use a SQLite URL such as sqlite:.duro/duro.db",
      {
        category: "input",
        details: { url: redactUrl(url) },
      },
    );
  }
  const match = /^sqlite:(?:\/\/)?(.+)$/.exec(url) ?? (/\.(db|sqlite3?)(\?.*)?$/.test(url) ? [url, url] : null);
  if (!match) {
    throw new DuroError("db_url_invalid", `"${redactUrl(url)}" is not a database URL; use sqlite:path/to/file.db`, { category: "input" });
  }
  const [path = "", query = ""] = (match[1] as string).split("?");
  const synchronous = new URLSearchParams(query).get("synchronous") ?? "normal";
  if (synchronous !== "normal" && synchronous !== "full") {
    throw new DuroError(
      "db_url_invalid",
      `synchronous=${synchronous} is not supported; use synchronous=normal (survives process crashes) or synchronous=full (survives power loss)`,
      {
        category: "input",
      },
    );
  }
  if (path === "") throw new DuroError("db_url_invalid", `"${url}" names no file; use sqlite:path/to/file.db`, { category: "input" });
  return { kind: "sqlite", path, synchronous };
}

/** Opens the store a URL names. */
export function openStore(url: string): Store {
  const parsed = parseDbUrl(url);
  return openSqliteStore(parsed.path, { synchronous: parsed.synchronous });
}

/** A URL without its password, safe for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:[REDACTED]@");
}

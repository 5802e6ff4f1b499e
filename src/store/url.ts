// Reads a database URL, the form every CLI command's --db takes: `sqlite:path/to/file.db[?synchronous=full]`
// (a bare path ending in .db or .sqlite works too) or `postgres://user:password@host:5432/db[?schema=duro]`.
// Parsing only: nothing here opens a database or loads a driver (open.ts does, for the backend a URL names).
import { DuroError } from "../core/index.js";
import { parsePostgresUrl } from "./postgres/url.js";
import { redactUrl } from "./redact-url.js";

export const DEFAULT_DB_URL = "sqlite:.duro/duro.db";

export type ParsedDbUrl =
  | { kind: "sqlite"; path: string; synchronous: "normal" | "full" }
  /** `url` is what pg connects with (without `schema`); `schema` is the URL's ?schema=, when given. */
  | { kind: "postgres"; url: string; schema?: string };

/** Checks a database URL and splits it into what its backend needs; throws an input error (`db_url_invalid`, …) that says the fix. */
export function parseDbUrl(url: string): ParsedDbUrl {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { connectionString, schema } = parsePostgresUrl(url);
    return schema === undefined ? { kind: "postgres", url: connectionString } : { kind: "postgres", url: connectionString, schema };
  }
  const match = /^sqlite:(?:\/\/)?(.+)$/.exec(url) ?? (/\.(db|sqlite3?)(\?.*)?$/.test(url) ? [url, url] : null);
  if (!match) {
    throw new DuroError(
      "db_url_invalid",
      `"${redactUrl(url)}" is not a database URL; use sqlite:path/to/file.db or postgres://user:password@host:5432/database`,
      { category: "input" },
    );
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

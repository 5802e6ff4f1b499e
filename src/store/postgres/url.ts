// Reads a postgres:// URL and duro's own `?schema=` parameter, without loading pg: the store contract's URL
// parsing uses it to check a URL before anything is opened.
import { inputError } from "../../core/index.js";
import { redactUrl } from "../redact-url.js";

/** A schema name the store accepts: a plain lower-case identifier, so quoting it is all it needs. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresUrl {
  /** The URL pg connects with: the given one without duro's own `schema` parameter. */
  connectionString: string;
  /** The `schema` query parameter, checked, when the URL has one. */
  schema?: string;
}

/** Splits a postgres:// or postgresql:// URL into what pg needs and duro's `?schema=` parameter. */
export function parsePostgresUrl(url: string): PostgresUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw inputError("db_url_invalid", `"${redactUrl(url)}" is not a valid URL; use postgres://user:password@host:5432/database`, {
      url: redactUrl(url),
    });
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw inputError("db_url_invalid", `"${redactUrl(url)}" is not a PostgreSQL URL; use postgres://user:password@host:5432/database`, {
      url: redactUrl(url),
    });
  }
  const schema = parsed.searchParams.get("schema");
  if (schema === null) return { connectionString: url };
  parsed.searchParams.delete("schema");
  return { connectionString: parsed.toString(), schema: checkSchemaName(schema) };
}

/** Returns the name if it is a plain lower-case identifier (so it can be quoted without escaping), else throws. */
export function checkSchemaName(name: string): string {
  if (SCHEMA_NAME.test(name)) return name;
  throw inputError(
    "db_schema_invalid",
    `"${name}" cannot be a duro schema name; use lower-case letters, digits and underscores, starting with a letter or underscore (at most 63)`,
    { schema: name },
  );
}

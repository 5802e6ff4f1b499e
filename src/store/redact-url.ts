// Hides the password in a database URL, for messages and logs. Its own module so that URL parsing and the
// backends' error mapping share it without importing each other.

/** A URL without its password (in the user part or a `password=` parameter), safe for messages and logs. */
export function redactUrl(url: string): string {
  // Up to the last "@": a password with an unescaped "/" or "@" is hidden too (hiding too much is the safe mistake).
  return url.replace(/\/\/([^:/@]*):.*@/, "//$1:[REDACTED]@").replace(/([?&]password=)[^&]*/gi, "$1[REDACTED]");
}

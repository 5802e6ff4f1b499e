// How deeply JSON that crosses a trust boundary (an API body, a CLI --input or --payload) may nest, checked on the
// text before JSON.parse, so that nothing after it (validation, redaction, the journal's encoder) recurses deep
// enough to overflow the stack.

/** How deeply objects and arrays may nest in JSON given to the API or the CLI. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/** Whether objects and arrays nest deeper than `max` in the JSON `text`: one linear scan, no parsing. */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
      continue;
    }
    if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      depth++;
      if (depth > max) return true;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return false;
}

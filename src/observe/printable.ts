// Stored text shown to a person on a terminal. Step names, event keys and error messages come from whoever can call
// the API or write a workflow; a control character in them must be shown, never sent (it could retitle the window,
// move the cursor, clear the screen or forge a line).

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROLS_AND_NEWLINES = /[\u0000-\u001f\u007f-\u009f]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
const visible = (char: string) => NAMED[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;

/** Text of several lines: every control character (C0 but newline, DEL, C1) shown as `\x1b`, `\r`, `\x9b`… */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, visible);
}

/** A stored value shown inside one line (a key, a name, a message in a table or a progress line): newlines too. */
export function plain(text: string): string {
  return text.replace(CONTROLS_AND_NEWLINES, visible);
}

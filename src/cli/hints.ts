// The commands the CLI suggests ("continue it with: duro resume …"). Each must work when pasted into a shell: its
// words are quoted for a POSIX shell (control characters as $'\x1b', so they are also shown, never sent), and it
// names the database this invocation used.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = new RegExp(CONTROL.source, "g");
// In $'…', \xNN is a byte and \uNNNN a character (UTF-8 encoded): C1 characters need the second.
const ansiC = (char: string) => {
  const code = char.charCodeAt(0);
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
};

let hintDb: string | undefined;

/** Records the --db this invocation named, for the hints it prints; the default database needs none. */
export function useDbInHints(url: string | undefined): void {
  hintDb = url;
}

/** `duro <words…> [--db <url>]`, each word quoted as a shell needs it. */
export function duroCommand(...words: string[]): string {
  return ["duro", ...words, ...(hintDb === undefined ? [] : ["--db", hintDb])].map(shellWord).join(" ");
}

/** One word for a POSIX shell (bash, zsh): bare when safe, else quoted. */
export function shellWord(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  if (CONTROL.test(word)) return `$'${word.replace(/[\\']/g, "\\$&").replace(CONTROLS, ansiC)}'`;
  return `'${word.replace(/'/g, "'\\''")}'`;
}

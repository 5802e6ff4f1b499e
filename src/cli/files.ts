// How the CLI loads the files it is given: the shared loader (duro/load) with the pack flags, and its warnings as
// `duro: warning: …` lines on stderr, escaped like everything the CLI prints.
import type { LoadOptions, PackLoadOptions } from "../load/index.js";
import { warn } from "./output.js";

/** Load options for a command: how packs are trusted (default strict, no trusted keys), warnings on stderr. */
export function loadOptions(packs: PackLoadOptions = {}): LoadOptions {
  return { ...packs, onWarning: (warning) => warn(`duro: warning: ${warning}`) };
}

// The plain value of a parsed YAML document, with alias expansion bounded: `&a [*b, *b, …]` nests expand
// exponentially (a "billion laughs" document), so a document that needs more than MAX_YAML_ALIASES alias
// resolutions is refused with a message instead of a stack trace or an exhausted heap.
import type { Document } from "yaml";

/** How many alias (`*name`) resolutions a flow document or pack.yaml may need; the yaml library's maxAliasCount. */
export const MAX_YAML_ALIASES = 100;

/** The document as plain data, or why it was refused. */
export function yamlValue(doc: Document.Parsed): { value: unknown } | { refused: string } {
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown };
  } catch (error) {
    // The library signals the bound with a ReferenceError; anything else is a real bug and goes through.
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    return {
      refused: `the document expands YAML aliases (*name) more than ${MAX_YAML_ALIASES} times, which is refused as a possible alias bomb; write the repeated parts out or use fewer nested aliases`,
    };
  }
}

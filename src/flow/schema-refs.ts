// Schema files in flows: wherever a document holds a JSON Schema (the input, `validate`, `responseSchema`, …), a
// `{ $ref: "schemas/order.json" }` (optionally with a `#/json/pointer`) names a file beside the flow: one of a
// pack's `schemas`, or a file relative to a flow file's directory. The references are replaced by the schemas
// themselves when the document is loaded, so the checks, the run and the flow's version all see the full schema,
// and nothing is read while a run executes. `#…` references inside a schema and absolute URLs are left to the
// schema's own rules.
import { posix } from "node:path";
import { DuroError } from "../core/index.js";
import type { JsonSchema, PathSegment } from "./document.js";
import { isRecord } from "./document.js";
import { yaml } from "./libraries.js";

/** Finds a schema file by its path relative to the flow file (within a pack: only the schemas it lists). */
export type SchemaFiles = (path: string) => JsonSchema | undefined;

type Report = (path: PathSegment[], code: string, message: string) => void;

/**
 * What an unresolved reference becomes once reported: the schema that accepts anything, so the checks that compile
 * schemas do not report the same reference again. The reported error already stops the flow from running.
 */
const unresolved = (): JsonSchema => ({});

/** A schema file's text (JSON or YAML) as a schema; `schema_file_invalid` naming `where` when it is neither. */
export function parseSchemaText(text: string, where: string): JsonSchema {
  try {
    return yaml().parse(text) as JsonSchema;
  } catch (error) {
    throw new DuroError("schema_file_invalid", `schema file ${where} is not valid JSON or YAML: ${(error as Error).message}`, {
      category: "input",
      details: { file: where },
    });
  }
}

/** Whether `ref` names a schema file (not `#/$defs/x`, not `https://…`). */
function isFileRef(ref: unknown): ref is string {
  return typeof ref === "string" && ref !== "" && !ref.startsWith("#") && !/^[a-z][a-z0-9+.-]*:/i.test(ref);
}

/** Replaces every file `$ref` in `document` (in place) by the schema it names; what cannot be resolved is reported. */
export function resolveSchemaRefs(document: Record<string, unknown>, files: SchemaFiles, report: Report): void {
  const walk = (value: unknown, path: PathSegment[], base: string, expanding: string[]): unknown => {
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], base, expanding));
    if (!isRecord(value)) return value;
    const { $ref: ref, ...rest } = value;
    const resolvedRest = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, walk(v, [...path, k], base, expanding)]));
    if (!isFileRef(ref)) return ref === undefined ? resolvedRest : { $ref: ref, ...resolvedRest };
    const [file = "", pointer] = ref.split("#", 2);
    const target = posix.normalize(posix.join(base, file));
    const where = [...path, "$ref"];
    if (expanding.includes(target)) {
      report(where, "schema_ref_cycle", `$ref "${ref}" refers back to ${[...expanding, target].join(" → ")}; break the cycle`);
      return unresolved();
    }
    const schema = files(target);
    if (schema === undefined) {
      report(where, "missing_schema", `$ref "${ref}": there is no schema file ${target} (in a pack, list it under schemas: in pack.yaml)`);
      return unresolved();
    }
    const picked = pointer === undefined || pointer === "" ? schema : at(schema, pointer);
    if (picked === undefined) {
      report(where, "missing_schema", `$ref "${ref}": ${target} has nothing at #${pointer}`);
      return unresolved();
    }
    // References inside the file are relative to the file itself.
    const expanded = walk(structuredClone(picked), path, posix.dirname(target), [...expanding, target]);
    if (Object.keys(resolvedRest).length === 0) return expanded;
    const allOf = Array.isArray(resolvedRest.allOf) ? resolvedRest.allOf : [];
    return { ...resolvedRest, allOf: [...allOf, expanded] };
  };
  for (const [key, value] of Object.entries(document)) document[key] = walk(value, [key], "", []);
}

/** The value at a JSON Pointer (`/$defs/line`), or undefined. */
function at(value: unknown, pointer: string): unknown {
  let current = value;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isRecord(current) && Object.hasOwn(current, key)) current = current[key];
    else return undefined;
  }
  return current;
}

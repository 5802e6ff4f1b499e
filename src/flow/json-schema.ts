// JSON Schema 2020-12 through Ajv: one compiler for the flow format itself, for `validate` nodes, `ask`
// answers and flow inputs. Compiled validators are cached by the schema's JSON.
import type { Ajv2020, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import type { StandardSchemaV1 } from "../core/index.js";
import type { JsonSchema } from "./document.js";
import { ajv as ajvLibrary } from "./libraries.js";

let compiler: Ajv2020 | undefined;
const cache = new Map<string, ValidateFunction>();

/** A compiled validator; throws (with Ajv's message) when `schema` is not a valid JSON Schema. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = cache.get(key);
  if (!validate) {
    compiler ??= new (ajvLibrary().Ajv2020)({ allErrors: true, strict: false });
    validate = compiler.compile(schema);
    cache.set(key, validate);
  }
  return validate;
}

/** Why `schema` is not a usable JSON Schema, or undefined. */
export function schemaError(schema: unknown): string | undefined {
  if (typeof schema !== "boolean" && (typeof schema !== "object" || schema === null || Array.isArray(schema)))
    return "a JSON Schema must be an object or a boolean";
  try {
    compileSchema(schema as JsonSchema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export interface SchemaIssue {
  /** JSON Pointer into the value (`/items/0/title`); "" for the value itself. */
  path: string;
  message: string;
}

/** The issues of `value` against `schema`; empty when it is valid. */
export function schemaIssues(schema: JsonSchema, value: unknown): SchemaIssue[] {
  const validate = compileSchema(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(toIssue);
}

function toIssue(error: ErrorObject): SchemaIssue {
  if (error.keyword === "additionalProperties") {
    const key = (error.params as { additionalProperty: string }).additionalProperty;
    return { path: `${error.instancePath}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, message: `"${key}" is not allowed here` };
  }
  return { path: error.instancePath, message: error.message ?? "is invalid" };
}

/** A JSON Schema as a Standard Schema, so workflow inputs and `ask` answers validate through one path. */
export function standardSchema(schema: JsonSchema): StandardSchemaV1 {
  return {
    "~standard": {
      version: 1,
      vendor: "duro-json-schema",
      validate: (value) => {
        const issues = schemaIssues(schema, value);
        if (issues.length === 0) return { value };
        return { issues: issues.map((i) => ({ message: i.message, path: pointerSegments(i.path) })) };
      },
    },
  };
}

/** ["items", 0, "title"] from "/items/0/title". */
export function pointerSegments(pointer: string): Array<string | number> {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

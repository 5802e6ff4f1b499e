// Schemas for model output and tool arguments: JSON Schema 2020-12 (checked with Ajv) or any Standard
// Schema (zod, valibot, …). One validation result shape, and the JSON Schema form a model is shown.
import type { Ajv2020, ValidateFunction } from "ajv/dist/2020.js";
import { DuroError, isStandardSchema, type StandardSchemaV1 } from "../core/index.js";

export type JsonSchema = Record<string, unknown>;
export type AnySchema = JsonSchema | StandardSchemaV1;

export interface SchemaIssue {
  path: string;
  message: string;
}

export type Validation = { ok: true; value: unknown } | { ok: false; issues: SchemaIssue[] };

// Ajv is loaded on first use: it takes a noticeable part of a second to import, and workers without agents never need it.
let ajv: Promise<Ajv2020> | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

async function compile(schema: JsonSchema): Promise<ValidateFunction> {
  let fn = compiled.get(schema);
  if (!fn) {
    ajv ??= import("ajv/dist/2020.js").then(({ Ajv2020 }) => new Ajv2020({ allErrors: true, strict: false }));
    const instance = await ajv;
    try {
      fn = instance.compile(schema);
    } catch (error) {
      throw new DuroError("invalid_schema", `a JSON Schema given to the agent toolkit does not compile: ${(error as Error).message}`, {
        category: "definition",
      });
    }
    compiled.set(schema, fn);
  }
  return fn;
}

/** Validates a value; never throws for an invalid value, only for an invalid schema. */
export async function validate(schema: AnySchema, value: unknown): Promise<Validation> {
  if (isStandardSchema(schema)) {
    const result = await schema["~standard"].validate(value);
    if (!result.issues) return { ok: true, value: result.value };
    return {
      ok: false,
      issues: result.issues.map((issue) => ({
        path: (issue.path ?? []).map((s) => String(typeof s === "object" ? s.key : s)).join("/"),
        message: issue.message,
      })),
    };
  }
  const fn = await compile(schema);
  if (fn(value)) return { ok: true, value };
  return { ok: false, issues: (fn.errors ?? []).map((e) => ({ path: e.instancePath || "/", message: e.message ?? "is invalid" })) };
}

/** The JSON Schema a model is shown: the schema itself, or a Standard Schema's JSON Schema form if it has one. */
export function jsonSchemaOf(schema: AnySchema): JsonSchema | undefined {
  if (!isStandardSchema(schema)) return schema;
  const converter = (schema["~standard"] as { jsonSchema?: { input(options: { target: string }): JsonSchema } }).jsonSchema;
  return converter?.input({ target: "draft-2020-12" });
}

export function formatIssues(issues: SchemaIssue[]): string {
  return issues.map((i) => `${i.path || "/"}: ${i.message}`).join("; ");
}

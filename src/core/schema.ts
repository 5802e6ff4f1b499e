// Validation through Standard Schema (zod, valibot, arktype, …): one path for inputs, answers and outputs.
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { ErrorCode } from "./error-codes.js";
import { inputError } from "./errors.js";

export type { StandardSchemaV1 };

export type SchemaOutput<S> = S extends StandardSchemaV1<unknown, infer O> ? O : never;

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return typeof value === "object" && value !== null && "~standard" in value;
}

/**
 * Validates `value`; returns the schema's output or throws a DuroError with `code` listing every issue
 * with its path. `what` names the value in the message ("input of workflow \"order\"").
 */
export async function validateWithSchema<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
  code: ErrorCode,
  what: string,
): Promise<StandardSchemaV1.InferOutput<S>> {
  const result = await schema["~standard"].validate(value);
  if (!result.issues) return result.value as StandardSchemaV1.InferOutput<S>;
  const issues = result.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  const list = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  throw inputError(code, `${what} is invalid: ${list}`, { issues });
}

function formatPath(path: StandardSchemaV1.Issue["path"]): string {
  if (!path) return "";
  return path
    .map((segment) => (typeof segment === "object" ? segment.key : segment))
    .map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`))
    .join("")
    .replace(/^\./, "");
}

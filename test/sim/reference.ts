// The reference: a plain, fault-free, in-memory evaluation of a program, giving what its run must end with. Where
// the real order of parallel branches decides which error wins, the reference gives every error that may.
import { type SimNode, type SimProgram, stepCalls } from "./program.js";

export type Expected =
  | { status: "completed"; result: unknown }
  /** Signatures of the errors the run may fail with (see `signature` in check.ts). */
  | { status: "failed"; errors: string[] }
  | { status: "cancelled" };

export interface Reference {
  expected: Expected;
  /** Events the run surely waited for and consumed when it ends as expected. */
  consumes: string[];
}

type Eval =
  | { ok: true; value: unknown; consumes: string[] }
  | { ok: false; errors: Set<string>; consumes: string[] }
  | { cancelled: true; consumes: string[] };

/** The expected end of a run of `program`. */
export function reference(program: SimProgram): Reference {
  const result = sequence(program.body);
  if ("cancelled" in result) return { expected: { status: "cancelled" }, consumes: result.consumes };
  if (!result.ok) return { expected: { status: "failed", errors: [...result.errors].sort() }, consumes: result.consumes };
  return { expected: { status: "completed", result: result.value }, consumes: result.consumes };
}

function sequence(nodes: SimNode[]): Eval {
  const values: unknown[] = [];
  const consumes: string[] = [];
  for (const node of nodes) {
    const result = evaluate(node);
    consumes.push(...result.consumes);
    if (!("ok" in result) || !result.ok) return { ...result, consumes };
    values.push(result.value);
  }
  return { ok: true, value: values, consumes };
}

function ok(value: unknown, consumes: string[] = []): Eval {
  return { ok: true, value, consumes };
}

function evaluate(node: SimNode): Eval {
  switch (node.t) {
    case "step":
      if (node.fatal) return { ok: false, errors: new Set([`step_failed:${node.name}#0`]), consumes: [] };
      return ok(node.value);
    case "tx":
      return ok(node.value);
    case "loop":
      return ok(stepCalls(node).map((call) => call.value));
    case "seq":
      return sequence(node.body);
    case "all": {
      const results = node.branches.map(evaluate);
      const errors = new Set(results.flatMap((r) => ("ok" in r && !r.ok ? [...r.errors] : [])));
      // Which branch fails first is a race, and its siblings may be anywhere then: nothing is sure to be consumed.
      if (errors.size > 0) return { ok: false, errors, consumes: [] };
      return ok(
        results.map((r) => ("ok" in r && r.ok ? r.value : undefined)),
        results.flatMap((r) => r.consumes),
      );
    }
    case "race":
      return evaluate(node.winner);
    case "child": {
      const child = reference(node.program).expected;
      if (child.status === "completed") return ok(child.result);
      if (child.status === "cancelled") return { ok: false, errors: new Set(["child_failed:cancelled"]), consumes: [] };
      return { ok: false, errors: new Set(child.errors.map((e) => `child_failed:failed(${e})`)), consumes: [] };
    }
    case "sleep":
      return ok("slept");
    case "event":
      return ok(node.payload, [node.name]);
    case "never":
      return { ok: false, errors: new Set(["never_resolves"]), consumes: [] };
    case "hang":
      return { cancelled: true, consumes: [] };
    case "approval":
      return ok(node.approve ? "approve" : "reject");
    case "ask":
      return ok(node.answer);
    case "value":
      return ok(node.kind);
    case "try": {
      const body = evaluate(node.body);
      if ("ok" in body && !body.ok) return ok(node.fallback, body.consumes);
      return body;
    }
  }
}

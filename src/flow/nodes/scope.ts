// Scopes of nested graphs and the join both `parallel` and `map` use.
import type { Scope } from "../expression.js";

/** A nested graph's scope: it sees the outer nodes and vars; what it writes stays inside. */
export function childScope(scope: Scope, vars: Record<string, unknown> = {}): Scope {
  return { ...scope, nodes: { ...scope.nodes }, vars: { ...scope.vars, ...vars } };
}

/**
 * Runs every task to its end (so no durable call is left running behind a failure) and resolves with their
 * results in order, or rejects with the first failure in order.
 */
export async function settleAll<T>(tasks: Array<() => Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(tasks.map((task) => task()));
  const failure = settled.find((s) => s.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

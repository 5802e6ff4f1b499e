// Where a run waits before it runs: the queue, concurrency key and priority a start gives it, from its workflow's
// options (or the start's overrides), and the queue definitions an engine writes to the store before it claims.
import {
  DuroError,
  definitionError,
  inputError,
  isQueueDefinition,
  type QueueConfig,
  type QueueDefinition,
  queueConfig,
  type WorkflowDefinition,
} from "../core/index.js";
import type { NewRun } from "../store/index.js";

export interface QueueOverrides {
  /** Overrides the workflow's queue for this run. */
  queue?: string;
  /** Overrides the key the workflow's `concurrencyKey` would give. */
  concurrencyKey?: string;
  /** Overrides the workflow's priority (lower runs first). */
  priority?: number;
}

/** The queue fields of a new run of `def` with `input`. */
export function queueFields(
  def: WorkflowDefinition,
  input: unknown,
  overrides: QueueOverrides = {},
): Pick<NewRun, "queue" | "concurrencyKey" | "priority"> {
  const { queue, concurrencyKey, priority } = def.options;
  const name = overrides.queue ?? (isQueueDefinition(queue) ? queue.name : queue);
  if (name === undefined) return {};
  const key = overrides.concurrencyKey ?? (concurrencyKey ? keyOf(def.name, () => concurrencyKey(input)) : undefined);
  const rank = overrides.priority ?? (typeof priority === "function" ? keyOf(def.name, () => priority(input)) : priority);
  if (rank !== undefined && (typeof rank !== "number" || !Number.isInteger(rank)))
    throw inputError(
      "invalid_priority",
      `priority of a run of "${def.name}" must be an integer (lower runs first), not ${JSON.stringify(rank)}`,
    );
  return {
    queue: name,
    ...(key === undefined || key === null ? {} : { concurrencyKey: String(key) }),
    ...(rank === undefined ? {} : { priority: rank }),
  };
}

function keyOf<T>(workflow: string, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    throw new DuroError(
      "concurrency_key_failed",
      `the concurrencyKey or priority function of "${workflow}" threw: ${(error as Error).message}`,
      {
        category: "input",
        cause: error,
      },
    );
  }
}

/** The queues an engine knows, by name; two different definitions of one name are a mistake caught at registration. */
export class QueueRegistry {
  private readonly byName = new Map<string, QueueDefinition>();

  add(def: QueueDefinition): boolean {
    const existing = this.byName.get(def.name);
    if (existing === def) return false;
    if (existing && JSON.stringify(queueConfig(existing)) !== JSON.stringify(queueConfig(def))) {
      throw definitionError("duplicate_queue", `two different queues are named "${def.name}"; define it once and share the definition`);
    }
    this.byName.set(def.name, def);
    return existing === undefined;
  }

  /** Adds the queue a workflow defines inline, if any; true when the registry changed. */
  addFromWorkflow(def: WorkflowDefinition): boolean {
    return isQueueDefinition(def.options.queue) ? this.add(def.options.queue) : false;
  }

  configs(): QueueConfig[] {
    return [...this.byName.values()].map(queueConfig);
  }
}

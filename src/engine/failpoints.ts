// Named crash points for durability tests: `DURO_FAILPOINTS=after_step_effect:reserve#0,while_waiting:*`
// makes the process SIGKILL itself when execution reaches that point for that step key. A few names are injected
// bugs instead (`drop_event`): a deliberately broken build that the simulation's checker must catch. Off, a check is
// one boolean test.

export type FailpointName =
  /** step_started is journaled, the step function has not been called */
  | "before_step"
  /** the step function was called and has not returned */
  | "during_step"
  /** the step function returned; its result is not journaled yet */
  | "after_step_effect"
  /** the step's result was just committed */
  | "after_step_journaled"
  /** the run's suspension (status waiting) was just committed */
  | "while_waiting"
  /** a failing or cancelled run's open children were just cancelled; its terminal event is not committed (key: the event type) */
  | "before_run_ended"
  /** the run's terminal event was just committed (key: the event type) */
  | "after_run_ended"
  /** retention wrote and synced a batch's archive file; the batch is not deleted yet (key: the status) */
  | "after_archive";

/** Bugs a failpoint injects instead of a crash; only DURO_FAILPOINTS arms them, never a default. */
export type InjectedFault =
  /** engine.signal reports an event delivered but drops it (key: the event key) */
  "drop_event";

const armed = parse(process.env.DURO_FAILPOINTS);

function parse(spec: string | undefined): Map<string, Set<string>> | undefined {
  if (!spec) return undefined;
  const map = new Map<string, Set<string>>();
  for (const item of spec.split(",")) {
    const [name, key = "*"] = item.trim().split(/:(.*)/s);
    if (!name) continue;
    const keys = map.get(name) ?? new Set<string>();
    keys.add(key);
    map.set(name, keys);
  }
  return map;
}

function isArmed(name: string, key: string): boolean {
  const keys = armed?.get(name);
  return keys !== undefined && (keys.has(key) || keys.has("*"));
}

/** Kills this process on the spot if the failpoint is armed for this key (or for `*`). */
export function failpoint(name: FailpointName, key: string): void {
  if (!armed || !isArmed(name, key)) return;
  process.stderr.write(`duro: failpoint ${name}:${key} hit, killing process ${process.pid}\n`);
  process.kill(process.pid, "SIGKILL");
}

/** Whether the injected bug `name` is armed for this key: the caller then misbehaves on purpose. */
export function injected(name: InjectedFault, key: string): boolean {
  return armed !== undefined && isArmed(name, key);
}

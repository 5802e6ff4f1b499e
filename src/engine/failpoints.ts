// Named crash points for durability tests: `DURO_FAILPOINTS=after_step_effect:reserve#0,while_waiting:*`
// makes the process SIGKILL itself when execution reaches that point for that step key. Off, a check is
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
  /** retention wrote and synced a batch's archive file; the batch is not deleted yet (key: the status) */
  | "after_archive";

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

/** Kills this process on the spot if the failpoint is armed for this key (or for `*`). */
export function failpoint(name: FailpointName, key: string): void {
  if (!armed) return;
  const keys = armed.get(name);
  if (!keys || !(keys.has(key) || keys.has("*"))) return;
  process.stderr.write(`duro: failpoint ${name}:${key} hit, killing process ${process.pid}\n`);
  process.kill(process.pid, "SIGKILL");
}

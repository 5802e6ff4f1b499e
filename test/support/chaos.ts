// A multi-process chaos run: several `duro worker` processes share one database while a loop SIGKILLs a
// random one and starts a replacement; the caller then checks the runs' journals and the side-effect log.
import { type SpawnedCli, spawnDuro } from "./cli.js";

export interface ChaosOptions {
  file: string;
  db: string;
  cwd: string;
  env: Record<string, string>;
  workers: number;
  /** How long the killing goes on (ms). */
  chaosMs: number;
  /** Pause between kills (ms). */
  killEveryMs: number;
  leaseMs: number;
}

export interface ChaosResult {
  kills: number;
  /** Exit codes of the final, undisturbed workers (all 0 when they drained). */
  finalCodes: Array<number | null>;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const start = (untilIdle: boolean): SpawnedCli =>
    spawnDuro(
      [
        "worker",
        options.file,
        "--db",
        options.db,
        "--lease-ms",
        String(options.leaseMs),
        "--concurrency",
        "4",
        ...(untilIdle ? ["--until-idle"] : []),
      ],
      { cwd: options.cwd, env: options.env, timeoutMs: 120_000 },
    );
  const workers = Array.from({ length: options.workers }, () => start(false));
  let kills = 0;
  const deadline = Date.now() + options.chaosMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, options.killEveryMs));
    const victim = Math.floor(Math.random() * workers.length);
    const dying = workers[victim] as SpawnedCli;
    dying.child.kill("SIGKILL");
    await dying.result.catch(() => undefined);
    kills++;
    workers[victim] = start(false);
  }
  // Stop the survivors gracefully, then drain with workers that stop once nothing is left (including runs
  // whose killed worker's lease must expire first).
  for (const worker of workers) worker.child.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.result.catch(() => undefined)));
  const finals = Array.from({ length: options.workers }, () => start(true));
  const results = await Promise.all(finals.map((w) => w.result));
  return { kills, finalCodes: results.map((r) => r.code) };
}

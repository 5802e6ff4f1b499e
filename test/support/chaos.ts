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

const working = new WeakSet<SpawnedCli>();
const MIN_KILLS = 3;

/** Whether the worker has printed progress past its banner line, i.e. it has claimed and is executing runs. */
function isWorking(worker: SpawnedCli): boolean {
  return working.has(worker);
}

function watchProgress(worker: SpawnedCli): SpawnedCli {
  let lines = 0;
  worker.child.stdout?.on("data", (chunk: Buffer | string) => {
    lines += String(chunk).split("\n").length - 1;
    if (lines > 1) working.add(worker);
  });
  return worker;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const start = (untilIdle: boolean): SpawnedCli =>
    watchProgress(
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
        // Draining 2,000 runs took over 120 s on the shared 2-core machine at a load of 20, on PostgreSQL 15 and 18 alike.
        { cwd: options.cwd, env: options.env, timeoutMs: 300_000 },
      ),
    );
  const workers = Array.from({ length: options.workers }, () => start(false));
  let kills = 0;
  const started = Date.now();
  // At least MIN_KILLS, however slowly a loaded machine starts workers, within a bound (a minute at least: on a
  // shared 2-core machine a worker has taken over 10 s to print its first run).
  const bound = Math.max(4 * options.chaosMs, 60_000);
  const goOn = () => Date.now() - started < options.chaosMs || (kills < MIN_KILLS && Date.now() - started < bound);
  while (goOn()) {
    await new Promise((resolve) => setTimeout(resolve, options.killEveryMs));
    // Kill only a worker that is executing runs: on a loaded machine a fresh process can take longer to start than
    // the pause between kills, and killing it then would test nothing.
    const busy = workers.flatMap((w, i) => (isWorking(w) ? [i] : []));
    if (busy.length === 0) continue;
    const victim = busy[Math.floor(Math.random() * busy.length)] as number;
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

// One memory measurement in a process of its own (see memory.js); prints {"baseMiB", "peakMiB", ...} as JSON.
//   node bench/memory-child.js concurrent <db path> <runs>   a worker (concurrency <runs>) executes the queued napping
//                                                          runs, all at once: half mid-step, half on a short timer
//   node bench/memory-child.js replay <db path> <run id>     replays the run's journal to its next wait
import { createEngine, openSqliteStore } from "../dist/index.js";
import { napping, resumable } from "./workloads.js";

const MiB = 1024 * 1024;
const rss = () => process.memoryUsage().rss / MiB;

/** Resident size after a full collection: what the process holds, not garbage it has yet to collect. */
function settledRss() {
  globalThis.gc?.();
  return rss();
}

async function concurrent(path, runs) {
  const engine = createEngine({ store: openSqliteStore(path), workflows: [napping] });
  const baseMiB = settledRss();
  let peakMiB = baseMiB;
  let completed = 0;
  const errors = [];
  // Sampled while all runs are held: every run naps 1 s, so the worker holds all of them for most of a second.
  const sampler = setInterval(() => {
    peakMiB = Math.max(peakMiB, rss());
  }, 20);
  const worker = engine.runWorker({
    concurrency: runs,
    untilIdle: true,
    onOutcome: (outcome) => {
      if (outcome.status === "completed") completed++;
    },
    onError: (error) => errors.push(error),
  });
  await worker.done;
  clearInterval(sampler);
  await engine.close();
  if (errors.length > 0) throw new Error(`the worker reported ${errors.length} errors; first: ${errors[0]?.message ?? errors[0]}`);
  if (completed !== runs) throw new Error(`the worker completed ${completed} of ${runs} runs`);
  return { baseMiB, peakMiB, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
}

async function replay(path, id) {
  const engine = createEngine({ store: openSqliteStore(path), workflows: [resumable(() => {})] });
  const baseMiB = settledRss();
  const start = performance.now();
  const record = await engine.runUntilSettled(id);
  const ms = performance.now() - start;
  const afterMiB = rss();
  await engine.close();
  if (record.status !== "waiting") throw new Error(`the replayed run ended ${record.status}, expected waiting`);
  return { baseMiB, peakMiB: process.resourceUsage().maxRSS / 1024, afterMiB, ms };
}

const [what, path, arg] = process.argv.slice(2);
if (what === "concurrent" && path && arg) console.log(JSON.stringify(await concurrent(path, Number(arg))));
else if (what === "replay" && path && arg) console.log(JSON.stringify(await replay(path, arg)));
else {
  process.stderr.write("usage: node bench/memory-child.js concurrent <db path> <runs> | replay <db path> <run id>\n");
  process.exit(2);
}

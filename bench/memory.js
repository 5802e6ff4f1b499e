// Memory: the resident size of a process that holds many runs at once, and of one that replays a long journal, each
// measured in a fresh process (bench/memory-child.js) so that nothing else this bench did is in its heap. Both are
// measured twice, on a database without finished runs and on one with many, which must not change them.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createEngine, openSqliteStore } from "../dist/index.js";
import { addCompletedRuns } from "./sqlite.js";
import { napping, resumable } from "./workloads.js";

const CHILD = fileURLToPath(new URL("./memory-child.js", import.meta.url));

/**
 * Fills the database at `path`: `history` finished runs, then `concurrent` queued runs of `napping`, then a run of
 * `replaySteps` steps that waits for an event after them, and the event (so that a replay runs all of it and stops
 * at its next wait). Returns the long run's id.
 */
export async function prepareMemoryDb(path, { history, concurrent, replaySteps }) {
  const eventKey = `bench-memory-${process.pid}`;
  const engine = createEngine({ store: openSqliteStore(path), workflows: [napping, resumable(() => {})] });
  try {
    await addCompletedRuns(engine.store, history);
    for (let i = 0; i < concurrent; i++) await engine.start(napping, { napMs: 1_000, odd: i % 2 === 1 });
    const { id } = await engine.start("bench.resumable", { steps: replaySteps, eventKey });
    const first = await engine.runUntilSettled(id);
    if (first.status !== "waiting") throw new Error(`the ${replaySteps}-step run ended ${first.status}, expected waiting`);
    await engine.signal(eventKey, { go: true });
    return id;
  } finally {
    await engine.close();
  }
}

/** Runs memory-child.js with `args`; resolves with the JSON it prints last. */
export function measureInChild(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", CHILD, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`memory-child.js ${args[0]} exited with code ${code}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)));
    });
  });
}

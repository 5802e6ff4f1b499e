// Start-up: how long a process takes before it does useful work, measured from outside as a user meets it. A worker
// from spawn to its first claim (the claim's time is read from the run it claimed), and `duro run` of a one-step
// workflow from spawn to exit, for a TypeScript file (loaded through tsx) and a JavaScript one, on SQLite.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createEngine, openSqliteStore } from "../dist/index.js";
import { withTempDb } from "./lib.js";

const CLI = fileURLToPath(new URL("../bin/duro.js", import.meta.url));
const DURO = pathToFileURL(fileURLToPath(new URL("../dist/index.js", import.meta.url))).href;

/** Epoch ms with a fraction: comparable between processes of one machine. */
const epochNow = () => performance.timeOrigin + performance.now();

/** The one-step workflow a user would write, as `<dir>/one-step.<ext>` in an ESM project; it imports duro's build. */
function writeWorkflow(dir, ext) {
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  const file = join(dir, `one-step.${ext}`);
  const typed = ext === "ts" ? ": { n: number }" : "";
  writeFileSync(
    file,
    `import { workflow } from ${JSON.stringify(DURO)};\n` +
      `export default workflow("bench.one-step", async (ctx, input${typed}) => ctx.step("only", () => (input.n ?? 0) + 1));\n`,
  );
  return file;
}

/** Runs `node bin/duro.js ...args` in `cwd` to its end; rejects unless it exits with `expectedCode`. */
function runCli(args, cwd, expectedCode = 0) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stdout.resume();
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== expectedCode) return reject(new Error(`duro ${args[0]} exited with ${code}: ${err.trim().split("\n")[0]}`));
      resolve();
    });
  });
}

/** `duro run <one-step.ext>` from spawn to exit, `times` times, each on a database that exists (as a user's does). */
export async function cliRunStartup({ ext, times }) {
  return withTempDb(async (path) => {
    const dir = dirname(path);
    const file = writeWorkflow(dir, ext);
    const db = `sqlite:${path}`;
    await runCli(["run", file, "--db", db, "--input", '{"n":1}'], dir); // creates the database; tsx warms its cache
    const ms = [];
    for (let i = 0; i < times; i++) {
      const start = performance.now();
      await runCli(["run", file, "--db", db, "--input", '{"n":1}'], dir);
      ms.push(performance.now() - start);
    }
    return ms;
  });
}

/**
 * `duro worker <one-step.js>` with one run queued: from spawn to the moment its first claim was committed, taken
 * as the time of the run's second event (the step's start, written by the first commit after the claim).
 */
export async function workerFirstClaim({ times }) {
  return withTempDb(async (path) => {
    const dir = dirname(path);
    const file = writeWorkflow(dir, "js");
    const { default: oneStep } = await import(pathToFileURL(file).href);
    const ms = [];
    for (let i = 0; i < times; i++) {
      const engine = createEngine({ store: openSqliteStore(path), workflows: [oneStep] });
      const { id } = await engine.start(oneStep, { n: i });
      await engine.close();
      const spawnedAt = epochNow();
      await runCli(["worker", file, "--db", `sqlite:${path}`, "--until-idle", "--json"], dir);
      const store = openSqliteStore(path);
      const [, started] = await store.read(id, 1);
      await store.close();
      if (started?.type !== "step_started") throw new Error(`the worker did not start run ${id}'s step`);
      ms.push(Date.parse(started.at) - spawnedAt);
    }
    return ms;
  });
}

/** A bare `node -e 0`: the floor every figure above stands on. */
export async function nodeStartup({ times }) {
  const ms = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
      child.on("error", reject);
      child.on("close", resolve);
    });
    ms.push(performance.now() - start);
  }
  return ms;
}

// Output piped to a reader that is slower than duro: the process must not exit before its stdout drained.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { JournalEvent, RunDetails } from "../../src/index.js";
import { DURO_BIN, duroJson, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);

it("runs events --json into a reader that starts late is complete JSON (a journal over 1 MiB)", { timeout: 120_000 }, async () => {
  const dir = freshDir("duro-pipe-");
  const db = sqliteUrl(join(dir, "duro.db"));
  const input = join(dir, "input.json");
  writeFileSync(input, JSON.stringify({ pad: "y".repeat(1_300_000) }));
  const run = await duroJson<RunDetails>(
    ["run", fixture("echo.ts"), "--input", `@${input}`, "--db", db, "--artifacts-dir", join(dir, "folder")],
    { cwd: dir, timeoutMs: 60_000 },
  );

  const child = spawn(process.execPath, [DURO_BIN, "runs", "events", run.id, "--db", db, "--json"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout.pause();
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  // The reader starts when duro exited (what a process that exits early does to a slow reader) or, when duro waits
  // for the pipe to drain as it must, once it has had time to write everything it can.
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => child.stdout.on("end", resolve));
  child.stdout.resume();
  await ended;

  expect(await exited).toBe(0);
  const events = JSON.parse(Buffer.concat(chunks).toString("utf8")) as JournalEvent[];
  expect(events[0]).toMatchObject({ type: "run_created", input: { pad: "y".repeat(1_300_000) } });
});

// Text a caller of the API controls (step names, event keys, error messages) reaches the terminal of whoever runs
// duro: control characters in it are shown, never sent; --json stays JSON that parses back to the stored text.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEvent, RunDetails } from "../../src/index.js";
import { type CliOptions, duro, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);

// A window title, a carriage return that overwrites the line, an 8-bit CSI (clear screen), DEL, and a forged line.
const HOSTILE = "x\u001b]0;pwned\u0007\r\u009b2J\u007fy\nduro: error [fake]: spoofed";
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const RAW_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function expectNoControls(text: string): void {
  expect(text).not.toMatch(RAW_CONTROLS);
  expect(text).not.toContain("\nduro: error [fake]");
}

describe("hostile text in a run", { timeout: 120_000 }, () => {
  const dir = freshDir("duro-escape-");
  const db = ["--db", sqliteUrl(join(dir, "duro.db"))];
  const cli: CliOptions = { cwd: dir, env: { DURO_TEST_EFFECTS: join(dir, "effects.jsonl") }, timeoutMs: 60_000 };
  const human = async (args: string[], code: number) => {
    const result = await duro([...args, ...db], cli);
    expect(result.code, result.stderr).toBe(code);
    expectNoControls(result.stdout);
    expectNoControls(result.stderr);
    return result;
  };
  const json = async <T>(args: string[], code: number): Promise<T> => {
    const result = await duro([...args, ...db, "--json"], cli);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stdout).not.toMatch(RAW_CONTROLS);
    return JSON.parse(result.stdout) as T;
  };

  it("step name and error message are escaped in run, runs show, runs events and runs list", async () => {
    const input = JSON.stringify({ step: HOSTILE, fail: HOSTILE });
    const ran = await human(["run", fixture("echo.ts"), "--input", input, "--artifacts-dir", join(dir, "f1")], 1);
    expect(ran.stdout).toContain("x\\x1b]0;pwned\\x07\\r\\x9b2J\\x7fy\\nduro: error [fake]: spoofed");
    const id = /run (r_\w+) failed/.exec(ran.stdout)?.[1] as string;

    await human(["runs", "show", id], 0);
    await human(["runs", "events", id], 0);
    await human(["runs", "list"], 0);
    const run = await json<RunDetails>(["runs", "show", id], 0);
    expect(run.error?.message).toContain(HOSTILE);
    expect(run.steps[0]?.key).toBe(`${HOSTILE}#0`);
    const events = await json<JournalEvent[]>(["runs", "events", id], 0);
    expect(events.find((e) => e.type === "step_started")).toMatchObject({ key: `${HOSTILE}#0` });
  });

  it("an event key is escaped in run's hints, runs show, signal and the inbox", async () => {
    const ran = await human(["run", fixture("waiting.ts"), "--workflow", "awaits-event", "--input", JSON.stringify({ key: HOSTILE })], 3);
    const id = /run (r_\w+) waiting/.exec(ran.stdout)?.[1] as string;
    await human(["runs", "show", id], 0);
    await human(["signal", `${HOSTILE}-nobody`], 0);
    await human(["runs", "list", "--inbox"], 0);
    const delivered = await human(["signal", HOSTILE, "--payload", JSON.stringify({ note: HOSTILE })], 0);
    expect(delivered.stdout).toContain(`delivered to ${id}`);
  });
});

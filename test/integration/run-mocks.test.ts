// The mocks a run was started with stay with it: `duro resume` applies them again (or refuses with a code when
// they are gone or changed), and a cassette recorded with mocks replays with them. Through the real `duro` command.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { duro, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);

const MOCKED = fixture("mocked.ts");
const TEST_TIMEOUT = 90_000;

function writeMocks(dir: string, name = "mocks.yaml", charge = "{ paid: true }"): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      "http:",
      '  - url: "https://prices.duro.test/price"',
      "    response: { body: { amount: 42 } }",
      '  - url: "https://pay.duro.test/charge"',
      `    response: { body: ${charge} }`,
      "clock: { mode: frozen, start: 2026-03-01T09:00:00Z }",
      "",
    ].join("\n"),
  );
  return path;
}

/** Starts a run of the fixture with mocks that waits on `key`, and sends the event it waits for. */
async function startWaiting(dir: string, db: string, key: string, mocks: string): Promise<string> {
  const opts = { cwd: dir, timeoutMs: 30_000 };
  const run = await duro(["run", MOCKED, "--db", db, "--mocks", mocks, "--input", JSON.stringify({ key }), "--json"], opts);
  expect(run.code, run.stderr).toBe(3);
  const id = (JSON.parse(run.stdout) as { id: string }).id;
  const signal = await duro(["signal", key, "--payload", '{"go":1}', "--db", db], opts);
  expect(signal.code, signal.stderr).toBe(0);
  return id;
}

describe("mocks recorded with a run", () => {
  it(
    "a run started with --mocks resumes with the same mocks: the call after the wait is answered by them",
    async () => {
      const dir = freshDir("duro-mocks-resume-");
      const db = sqliteUrl(join(dir, "m.db"));
      const id = await startWaiting(dir, db, "go-1", writeMocks(dir));
      const resumed = await duro(["resume", id, "--db", db, "--json"], { cwd: dir, timeoutMs: 30_000 });
      expect(resumed.code, resumed.stderr).toBe(0);
      const run = JSON.parse(resumed.stdout) as { status: string; output: unknown };
      expect(run).toMatchObject({ status: "completed", output: { price: { amount: 42 }, charge: { paid: true }, go: { go: 1 } } });
    },
    TEST_TIMEOUT,
  );

  it(
    "resume refuses mocks that changed or are gone, and mocks for a run started without them, and run refuses --mocks with --detach, each with a code",
    async () => {
      const dir = freshDir("duro-mocks-refuse-");
      const db = sqliteUrl(join(dir, "m.db"));
      const opts = { cwd: dir, timeoutMs: 30_000 };
      const mocks = writeMocks(dir);
      const id = await startWaiting(dir, db, "go-2", mocks);

      writeMocks(dir, "mocks.yaml", "{ paid: false }");
      const changed = await duro(["resume", id, "--db", db], opts);
      expect(changed.code).toBe(2);
      expect(changed.stderr).toContain("mocks_changed");
      const other = await duro(["resume", id, "--db", db, "--mocks", writeMocks(dir, "other.yaml", "{ paid: 2 }")], opts);
      expect(other.code).toBe(2);
      expect(other.stderr).toContain("mocks_changed");

      rmSync(mocks);
      const gone = await duro(["resume", id, "--db", db], opts);
      expect(gone.code).toBe(2);
      expect(gone.stderr).toContain("mocks_not_found");
      expect(gone.stderr).toContain("--mocks");

      // A copy of the original file, elsewhere, is accepted.
      const copy = writeMocks(dir, "copy.yaml");
      const resumed = await duro(["resume", id, "--db", db, "--mocks", copy, "--json"], opts);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ status: "completed", output: { charge: { paid: true } } });

      const plain = await duro(["run", MOCKED, "--db", db, "--input", '{"key":"go-3"}', "--detach", "--json"], opts);
      const plainId = (JSON.parse(plain.stdout) as { id: string }).id;
      const mixed = await duro(["resume", plainId, "--db", db, "--mocks", copy], opts);
      expect(mixed.code).toBe(2);
      expect(mixed.stderr).toContain("mocks_not_recorded");

      // A worker would run a detached run without its mocks.
      const detached = await duro(["run", MOCKED, "--db", db, "--mocks", copy, "--input", '{"key":"go-4"}', "--detach"], opts);
      expect(detached.code).toBe(2);
      expect(detached.stderr).toContain("mocks_detached");
    },
    TEST_TIMEOUT,
  );

  it(
    "a cassette recorded with mocks (a frozen clock) replays with them and matches",
    async () => {
      const dir = freshDir("duro-mocks-replay-");
      const opts = { cwd: dir, timeoutMs: 30_000 };
      const cassette = join(dir, "cassette.json");
      const run = await duro(
        ["run", MOCKED, "--db", sqliteUrl(join(dir, "r.db")), "--mocks", writeMocks(dir), "--record", cassette, "--input", "{}"],
        opts,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(readFileSync(cassette, "utf8")).toContain("priced at 2026-03-01T09:00:00.000Z");
      const replay = await duro(["replay", cassette], opts);
      expect(replay.stdout + replay.stderr).toContain("matches the recording: 3 steps");
      expect(replay.code).toBe(0);
    },
    TEST_TIMEOUT,
  );
});

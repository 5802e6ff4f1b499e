// The spawned CLI on bookmarks, domain events and manifests: `runs bookmarks`, `runs fork --from-bookmark` (and the
// command it suggests), `runs show` with the manifest and the bookmark in its timeline, `runs verify` finding that
// the flow file changed since the run started. On SQLite and PostgreSQL.
import { createHash } from "node:crypto";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildPack } from "../../src/pack/index.js";
import { duro, duroJson, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { signedPack, smallPackFiles } from "../support/packs.js";
import { freshPgUrl } from "../support/postgres.js";

afterAll(removeTempDirs);

const FLOW = `id: bookmarked
version: "1"
nodes:
  first:
    set: { x: "=input.n + 1" }
    next: second
  second:
    bookmark: after-first
    emit: { name: first.done, data: { x: "=vars.x" } }
    next: third
  third:
    set: { y: "=vars.x * 10" }
`;

interface Event {
  seq: number;
  type: string;
  key?: string;
  name?: string;
  options?: Record<string, unknown>;
  manifest?: Record<string, unknown>;
}

/** The words of a suggested `duro …` command, its quotes removed (the hints quote only for the shell). */
function words(command: string): string[] {
  return (command.match(/'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^'|'$/g, "")).slice(1);
}

describe.each([
  ["sqlite", (dir: string) => sqliteUrl(join(dir, "duro.db"))],
  ["postgres", () => freshPgUrl()],
] as const)("bookmarks, emits and manifests through the CLI on %s", (_name, dbOf) => {
  it("lists a flow's bookmark, forks from it with the suggested command, and runs only what follows", async () => {
    const dir = freshDir("duro-bookmarks-");
    const file = join(dir, "flow.yaml");
    writeFileSync(file, FLOW);
    const db = dbOf(dir);
    const opts = { cwd: dir };
    const run = await duroJson<{ id: string; output: unknown }>(["run", file, "--input", '{"n":1}', "--db", db, "--json"], opts);
    expect(run.output).toEqual({ y: 20 });

    const listed = await duro(["runs", "bookmarks", run.id, "--db", db], opts);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/after-first#0\s+5\s+\S+\s+first#0/);
    expect(listed.stdout).toContain("a bookmark is a journal position, not a copy of state");
    const json = await duroJson<Array<{ name: string; seq: number; after: string }>>(
      ["runs", "bookmarks", run.id, "--db", db, "--json"],
      opts,
    );
    expect(json).toEqual([expect.objectContaining({ name: "after-first", ref: "after-first#0", seq: 5, after: "first#0" })]);

    const hint = listed.stdout.split("\n").find((line) => line.startsWith("fork from one: "));
    expect(hint).toBeDefined();
    const forked = await duro([...words((hint as string).slice("fork from one: ".length)), "--json"], opts);
    expect(forked.code, forked.stderr).toBe(0);
    const fork = JSON.parse(forked.stdout) as { id: string; status: string };
    expect(fork.status).toBe("queued");
    const resumed = await duroJson<{ status: string; output: unknown }>(["resume", fork.id, file, "--db", db, "--json"], opts);
    expect(resumed).toMatchObject({ status: "completed", output: { y: 20 } });

    const events = await duroJson<Event[]>(["runs", "events", fork.id, "--db", db, "--json"], opts);
    expect(events[0]?.options).toMatchObject({ forkedFrom: run.id, forkBookmark: "after-first#0", forkSeq: 5 });
    const copied = events.filter((e) => e.seq <= 5);
    const anew = events.filter((e) => e.seq > 5);
    expect(copied.map((e) => e.type)).toEqual(["run_created", "value_recorded", "step_started", "step_completed", "bookmark"]);
    expect(anew.filter((e) => e.type === "step_started").map((e) => e.key)).toEqual(["third#0"]);
    expect(anew.filter((e) => e.type === "domain_event").map((e) => e.name)).toEqual(["first.done"]);

    const byAda = await duroJson<{ actor?: string }>(
      ["runs", "fork", run.id, "--from-bookmark", "after-first", "--actor", "ada", "--db", db],
      opts,
    );
    expect(byAda.actor).toBe("ada");

    const unknown = await duro(["runs", "fork", run.id, "--from-bookmark", "nope", "--db", db], opts);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("bookmark_not_found");
    expect(unknown.stderr).toContain("after-first#0");
  });

  it("shows the manifest and the bookmark in runs show, and runs verify says when the flow file changed", async () => {
    const dir = freshDir("duro-manifest-");
    const file = join(dir, "flow.yaml");
    writeFileSync(file, FLOW);
    const db = dbOf(dir);
    const opts = { cwd: dir };
    const run = await duroJson<{ id: string }>(["run", file, "--input", '{"n":2}', "--db", db, "--json"], opts);

    const shown = await duro(["runs", "show", run.id, "--db", db], opts);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`source\\s+${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} sha256:[0-9a-f]{64}`));
    expect(shown.stdout).toMatch(/ran on\s+\S+ with duro \d+\.\d+\.\d+/);
    expect(shown.stdout).toMatch(/⚑ bookmark after-first \(seq 5\)/);
    expect(shown.stdout).toMatch(/◆ event first\.done/);

    const same = await duro(["runs", "verify", run.id, "--db", db], opts);
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toContain(`code: ok, ${file} is what the run was started from`);

    appendFileSync(file, "# edited after the run\n");
    const changed = await duro(["runs", "verify", run.id, "--db", db], opts);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(
      /code: DIFFERS: .*flow\.yaml is sha256:[0-9a-f]{64} now; the run was started from sha256:[0-9a-f]{64}: the file changed/,
    );

    const other = join(dir, "other.yaml");
    writeFileSync(other, FLOW);
    const against = await duroJson<{ ok: boolean; runs: Array<{ manifest: { ok: boolean; file: string } }> }>(
      ["runs", "verify", run.id, "--against", other, "--db", db, "--json"],
      opts,
    );
    expect(against).toMatchObject({ ok: true, runs: [{ manifest: { ok: true, file: other } }] });
  });
});

describe("the manifest of a pack run", () => {
  it("names the pack in runs show and run.json, and runs verify says when the pack was rebuilt with other files", async () => {
    const { dir: pack } = await signedPack({
      ...smallPackFiles(),
      "flows/hello.yaml": 'id: hello\nnodes:\n  greet: { call: greet, with: { name: "=input.name" } }\n',
    });
    const dir = freshDir("duro-pack-manifest-");
    const db = sqliteUrl(join(dir, "duro.db"));
    const opts = { cwd: dir };
    const run = await duroJson<{ id: string; status: string }>(
      ["run", pack, "--signing", "dev", "--input", '{"name":"Ana"}', "--db", db, "--json"],
      opts,
    );
    expect(run.status).toBe("completed");
    const digest = `sha256:${createHash("sha256")
      .update(readFileSync(join(pack, "pack.yaml")))
      .digest("hex")}`;

    const shown = await duro(["runs", "show", run.id, "--db", db], opts);
    expect(shown.stdout).toContain(`pack      test.small@0.1.0 ${digest}`);
    const summary = JSON.parse(readFileSync(join(dir, ".duro", "runs", run.id, "run.json"), "utf8"));
    expect(summary.pack).toEqual({ id: "test.small", version: "0.1.0", digest });

    expect((await duro(["runs", "verify", run.id, "--db", db], opts)).code).toBe(0);
    writeFileSync(join(pack, "components", "greet.js"), "export default async (input) => ({ greeting: 'hi ' + input.name });\n");
    buildPack(pack);
    const changed = await duro(["runs", "verify", run.id, "--db", db], opts);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(
      /code: DIFFERS: .* has digest sha256:[0-9a-f]{64}; the run was started from sha256:[0-9a-f]{64}: the pack changed/,
    );
  });
});

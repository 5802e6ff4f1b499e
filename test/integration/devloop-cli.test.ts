// The dev loop through the real `duro` command: the run folder (transcript offsets that point at the failing
// lines, run.json, logs, report), `runs export` regenerating it byte for byte, and planted secrets that appear
// nowhere: not in the run folder, the database file, or the CLI's output.
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../src/observe/run-folder.js";
import type { TranscriptLine } from "../../src/observe/transcript.js";
import { type CliOptions, type CliResult, duro, fixture, freshDir, removeTempDirs, spawnDuro, sqliteUrl } from "../support/cli.js";

afterAll(removeTempDirs);

const BILLING = fixture("billing.ts");
const KEY = "bk_live_51HxQq7Zt9Rk2"; // read through ctx.secrets (from the environment)
const MOCK_KEY = "mk_test_8c1d0e55aa"; // a secret given by the mocks file
const PASSWORD = "hunter2-planted-pw"; // planted in an input
const TEST_TIMEOUT = 60_000;

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFiles(path) : [path];
  });
}

/** The transcript line at a byte range from run.json, read back from the file's bytes. */
function lineAt(transcript: Buffer, range: [number, number] | undefined): TranscriptLine {
  if (!range) throw new Error("run.json has no transcript range here");
  return JSON.parse(transcript.subarray(range[0], range[1]).toString("utf8")) as TranscriptLine;
}

function mocksFile(dir: string, secrets: Record<string, string> = {}): string {
  const path = join(dir, "mocks.yaml");
  const secretLines = Object.entries(secrets).map(([k, v]) => `  ${k}: ${v}`);
  writeFileSync(
    path,
    [
      "http:",
      "  - method: GET",
      '    url: "https://billing.example.test/quote*"',
      "    response: { status: 200, body: { amount: 42 } }",
      "clock: { mode: frozen, start: 2026-01-01T00:00:00Z }",
      ...(secretLines.length > 0 ? ["secrets:", ...secretLines] : []),
      "",
    ].join("\n"),
  );
  return path;
}

describe("duro run: run folder", () => {
  let dir: string;
  let opts: CliOptions;
  beforeAll(() => {
    dir = freshDir("duro-devloop-");
    opts = { cwd: dir, env: { BILLING_KEY: KEY }, timeoutMs: 30_000 };
  });

  it(
    "writes transcript, run.json, logs and report; failure offsets point at exactly the failing lines; export regenerates it byte for byte",
    async () => {
      const db = sqliteUrl(join(dir, "fail.db"));
      const run = await duro(
        ["run", BILLING, "--db", db, "--mocks", mocksFile(dir), "--input", '{"customer":"c1","fail":true}', "--json"],
        opts,
      );
      expect(run.code).toBe(1);
      const runId = (JSON.parse(run.stdout) as { id: string }).id;
      const folder = join(dir, ".duro", "runs", runId);
      const summary = JSON.parse(readFileSync(join(folder, "run.json"), "utf8")) as RunSummary;
      expect(summary.status).toBe("failure");
      expect(Object.keys(summary.failures).sort()).toEqual(["$run", "charge#0"]);
      const transcript = readFileSync(join(folder, "transcript.jsonl"));
      const charge = summary.failures["charge#0"];
      expect(lineAt(transcript, charge?.transcript)).toMatchObject({ step: "charge#0", phase: "error", status: "failed", attempt: 3 });
      expect(charge?.lines).toHaveLength(3);
      for (const [i, range] of (charge?.lines ?? []).entries()) {
        expect(lineAt(transcript, range)).toMatchObject({ step: "charge#0", phase: "error", attempt: i + 1 });
      }
      expect(lineAt(transcript, summary.failures.$run?.transcript)).toMatchObject({ step: null, phase: "error", status: "failed" });
      expect(readFileSync(join(folder, charge?.log as string), "utf8")).toContain("error failed attempt 3");
      expect(readFileSync(join(folder, "report.md"), "utf8")).toContain("**failure**");
      const lines = transcript
        .toString("utf8")
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as TranscriptLine);
      const mockAt = lines.findIndex((l) => l.phase === "mock");
      expect(lines.filter((l) => l.phase === "mock").map((l) => l.component)).toEqual(["http", "clock", "clock"]);
      expect(lines[mockAt]).toMatchObject({ step: "quote#0", component: "http", inputs: { method: "GET" }, outputs: { status: 200 } });
      expect(lines[mockAt - 1]).toMatchObject({ step: "quote#0", phase: "start" });

      const before = new Map(allFiles(folder).map((f) => [f, readFileSync(f)]));
      const exported = await duro(["runs", "export", runId, "--db", db], opts);
      expect(exported.code).toBe(0);
      const after = new Map(allFiles(folder).map((f) => [f, readFileSync(f)]));
      expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
      for (const [file, bytes] of before) expect(after.get(file)?.equals(bytes), file).toBe(true);
    },
    TEST_TIMEOUT,
  );

  it(
    "a run that sleeps three days under a mock clock completes, and a caught step failure makes it a partial failure",
    async () => {
      const db = sqliteUrl(join(dir, "ok.db"));
      const folder = join(dir, "custom-folder");
      const run = await duro(
        [
          "run",
          BILLING,
          "--db",
          db,
          "--mocks",
          mocksFile(dir),
          "--artifacts-dir",
          folder,
          "--input",
          '{"customer":"c2","loyalty":true}',
          "--json",
        ],
        opts,
      );
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(readFileSync(join(folder, "run.json"), "utf8")) as RunSummary;
      expect(summary.status).toBe("partial_failure");
      expect(Object.keys(summary.failures)).toEqual(["loyalty#0"]);
      expect(summary.steps.map((s) => s.key)).toEqual(["quote#0", "charge#0", "loyalty#0", "cool-off#0", "receipt#0"]);
      const charged = readFileSync(join(folder, "transcript.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l.includes('"charge#0"') && l.includes('"phase":"end"'));
      expect(JSON.parse(charged[0] as string).outputs).toEqual({ charged: 42, maxTokens: 512, inputTokens: 12, tokenCount: 3 });
    },
    TEST_TIMEOUT,
  );
});

describe("duro run: planted secrets appear nowhere", () => {
  it(
    "secrets in inputs, step results, errors and ctx.secrets never reach the run folder, the database file or the CLI output",
    async () => {
      const dir = freshDir("duro-secrets-");
      const dbFile = join(dir, "duro.db");
      const opts: CliOptions = { cwd: dir, env: { BILLING_KEY: KEY }, timeoutMs: 30_000 };
      const withMockKey: CliOptions = { cwd: dir, env: {}, timeoutMs: 30_000 };
      const outputs: CliResult[] = [];
      const run = async (args: string[], o = opts) => {
        const result = await duro(args, o);
        outputs.push(result);
        return result;
      };
      const mocks = mocksFile(dir);
      const common = ["--db", sqliteUrl(dbFile), "--mocks", mocks];
      const input = await run(["run", BILLING, ...common, "--input", JSON.stringify({ customer: "c3", password: PASSWORD })]);
      expect(input.code).toBe(2);
      expect(input.stderr).toContain("secret_in_journal");
      const leakedResult = await run(["run", BILLING, ...common, "--input", '{"customer":"c4","leakResult":true}']);
      expect(leakedResult.code).toBe(1);
      const leakedError = await run(["run", BILLING, ...common, "--input", '{"customer":"c5","fail":true}']);
      expect(leakedError.code).toBe(1);
      const fromMocks = await run(
        [
          "run",
          BILLING,
          "--db",
          sqliteUrl(dbFile),
          "--mocks",
          mocksFile(dir, { BILLING_KEY: MOCK_KEY }),
          "--input",
          '{"customer":"c6","fail":true}',
        ],
        withMockKey,
      );
      expect(fromMocks.code).toBe(1);
      const ids = outputs.flatMap((o) => [...o.stdout.matchAll(/run (r_[0-9A-Za-z_]+) \(billing\)/g)].map((m) => m[1] as string));
      expect(ids).toHaveLength(3);
      for (const id of ids) {
        await run(["runs", "show", id, "--db", sqliteUrl(dbFile)]);
        await run(["runs", "events", id, "--db", sqliteUrl(dbFile)]);
        await run(["runs", "export", id, "--db", sqliteUrl(dbFile)]);
      }
      const files = [...allFiles(join(dir, ".duro")), ...allFiles(dir).filter((f) => f.startsWith(dbFile))];
      expect(files.some((f) => f.endsWith("transcript.jsonl"))).toBe(true);
      expect(files.some((f) => f === dbFile)).toBe(true);
      const everything = [...files.map((f) => readFileSync(f).toString("latin1")), ...outputs.map((o) => o.stdout + o.stderr)].join("\n");
      for (const secret of [KEY, MOCK_KEY, PASSWORD]) expect(everything.includes(secret), secret).toBe(false);
      expect(everything).toContain("secret_in_journal");
    },
    TEST_TIMEOUT * 2,
  );
});

describe("duro run --record and duro replay", () => {
  it(
    "replaying an unchanged recording passes (exit 0); an edited one names the divergent step (exit 1)",
    async () => {
      const dir = freshDir("duro-replay-");
      const opts: CliOptions = { cwd: dir, env: { BILLING_KEY: KEY }, timeoutMs: 30_000 };
      const cassettePath = join(dir, "cassette.json");
      const run = await duro(
        [
          "run",
          BILLING,
          "--db",
          sqliteUrl(join(dir, "r.db")),
          "--mocks",
          mocksFile(dir),
          "--record",
          cassettePath,
          "--input",
          '{"customer":"c7"}',
        ],
        opts,
      );
      expect(run.code, run.stderr).toBe(0);
      const cassette = JSON.parse(readFileSync(cassettePath, "utf8")) as {
        steps: Array<{ key: string; result: unknown }>;
        http: unknown[];
      };
      expect(cassette.steps.map((s) => s.key)).toEqual(["quote#0", "charge#0", "receipt#0"]);
      expect(cassette.http).toHaveLength(1);
      expect(readFileSync(cassettePath, "utf8")).not.toContain(KEY);

      const same = await duro(["replay", cassettePath], opts);
      expect(same.code, same.stderr).toBe(0);
      expect(same.stdout).toContain("matches the recording: 3 steps");

      (cassette.steps[1] as { result: unknown }).result = { charged: 41 };
      const edited = join(dir, "edited.json");
      writeFileSync(edited, JSON.stringify(cassette));
      const diverged = await duro(["replay", edited], opts);
      expect(diverged.code).toBe(1);
      expect(diverged.stdout).toContain('replay diverged at step "charge#0"');
    },
    TEST_TIMEOUT,
  );
});

describe("duro run with OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  it(
    "sends the run's spans over OTLP/HTTP to the configured endpoint",
    async () => {
      const dir = freshDir("duro-otlp-");
      const bodies: string[] = [];
      const collector = createServer((req, res) => {
        let body = "";
        req.setEncoding("utf8").on("data", (chunk: string) => {
          body += chunk;
        });
        req.on("end", () => {
          bodies.push(`${req.url} ${body}`);
          res.writeHead(200, { "content-type": "application/json" }).end("{}");
        });
      });
      collector.listen(0, "127.0.0.1");
      await once(collector, "listening");
      const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
      try {
        const opts: CliOptions = { cwd: dir, env: { BILLING_KEY: KEY, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, timeoutMs: 30_000 };
        const run = await duro(
          ["run", BILLING, "--db", sqliteUrl(join(dir, "o.db")), "--mocks", mocksFile(dir), "--input", '{"customer":"c8"}'],
          opts,
        );
        expect(run.code, run.stderr).toBe(0);
      } finally {
        collector.close();
      }
      const sent = bodies.join("\n");
      expect(sent).toContain("/v1/traces");
      for (const name of ["duro.run billing", "duro.step quote#0", "duro.step charge#0", "duro.wait cool-off#0", "duro.run_id"])
        expect(sent).toContain(name);
    },
    TEST_TIMEOUT,
  );
});

describe("duro runs show and runs tail", () => {
  it(
    "runs show draws a timeline; runs tail follows a waiting run until it ends",
    async () => {
      const dir = freshDir("duro-tail-");
      const db = sqliteUrl(join(dir, "t.db"));
      const opts: CliOptions = { cwd: dir, env: { DURO_TEST_EFFECTS: join(dir, "effects.jsonl") }, timeoutMs: 30_000 };
      const started = await duro(
        ["run", fixture("waiting.ts"), "--workflow", "awaits-event", "--db", db, "--input", '{"key":"pay-1"}'],
        opts,
      );
      expect(started.code, started.stderr).toBe(3);
      const runId = /run (r_[0-9A-Za-z_]+) \(awaits-event\)/.exec(started.stdout)?.[1] as string;

      const tail = spawnDuro(["runs", "tail", runId, "--db", db, "--poll-ms", "50"], opts);
      expect((await duro(["signal", "pay-1", "--db", db, "--payload", '{"amount":5}'], opts)).code).toBe(0);
      expect((await duro(["resume", runId, "--db", db], opts)).code).toBe(0);
      const followed = await tail.result;
      expect(followed.code).toBe(0);
      expect(followed.stdout).toMatch(/prepare#0[\s\S]*payment#0[\s\S]*fulfil#0[\s\S]*completed/);

      const show = await duro(["runs", "show", runId, "--db", db], opts);
      expect(show.code).toBe(0);
      const timeline = show.stdout.slice(show.stdout.indexOf("timeline:"));
      expect(timeline).toMatch(new RegExp(`run ${runId} awaits-event completed in`));
      expect(timeline).toMatch(/✓ prepare#0/);
      expect(timeline).toMatch(/✓ payment#0 .* event: received by \S+ at /);
      expect(timeline).toMatch(/✓ fulfil#0/);
    },
    TEST_TIMEOUT,
  );
});

describe("duro resume: the run folder", () => {
  it(
    "a run folder written while the run waited is rewritten when duro resume finishes it",
    async () => {
      const dir = freshDir("duro-devloop-resume-");
      const db = sqliteUrl(join(dir, "wait.db"));
      const opts: CliOptions = { cwd: dir, env: { DURO_TEST_EFFECTS: join(dir, "effects.jsonl") }, timeoutMs: 30_000 };
      const waiting = fixture("waiting.ts");
      const started = await duro(
        ["run", waiting, "--workflow", "awaits-event", "--db", db, "--json", "--input", '{"key":"pay:folder"}'],
        opts,
      );
      expect(started.code).toBe(3);
      const runId = (JSON.parse(started.stdout) as { id: string }).id;
      const summaryFile = join(dir, ".duro", "runs", runId, "run.json");
      const status = () => (JSON.parse(readFileSync(summaryFile, "utf8")) as RunSummary).status;
      expect(status()).toBe("in_progress");

      expect((await duro(["signal", "pay:folder", "--payload", '{"amount":5}', "--db", db], opts)).code).toBe(0);
      const resumed = await duro(["resume", runId, "--db", db], opts);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain(`run folder: ${join(".duro", "runs", runId)}`);
      expect(status()).toBe("success");
    },
    TEST_TIMEOUT,
  );
});

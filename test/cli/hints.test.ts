// Every command the CLI suggests is run here exactly as printed (through bash, placeholders filled in) and must work.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEngine, openSqliteStore } from "../../src/index.js";
import { type CliOptions, DURO_BIN, duro, fixture, freshDir, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { signedPack, smallPackFiles } from "../support/packs.js";
import { kid } from "../support/workflows/family.js";

afterAll(removeTempDirs);

const HINT = /(?:^|: |\(|\s{2,})(duro (?:approve|answer|signal|resume|limits|runs list)\b[^\n]*?)(?=\s{3}|\)|$)/gm;

/** The hints a command printed: each `duro …` command line it suggests. */
function hintsIn(text: string): string[] {
  return [...text.matchAll(HINT)].map((m) => (m[1] as string).trim());
}

/** Runs a printed hint with bash, `duro` being this checkout's CLI; placeholders get example values. */
function execute(hint: string, { cwd, env }: CliOptions): { code: number | null; output: string } {
  const line = hint
    .replace("'{…}'", "'{}'")
    .replace("<usd>", "5")
    .replace(/^duro /, `"${process.execPath}" "${DURO_BIN}" `);
  const result = spawnSync("bash", ["-c", line], { cwd, encoding: "utf8", env: { ...process.env, ...env, NO_COLOR: "1" } });
  return { code: result.status, output: `${line}\n${result.stdout}${result.stderr}` };
}

describe("printed hints work", { timeout: 180_000 }, () => {
  const dir = freshDir("duro-hints-");
  const path = join(dir, "custom.db");
  const db = ["--db", sqliteUrl(path)];
  const cli: CliOptions = { cwd: dir, env: { DURO_TEST_EFFECTS: join(dir, "effects.jsonl") }, timeoutMs: 60_000 };

  it("approve and resume hints carry the --db the user passed", async () => {
    const ran = await duro(["run", fixture("waiting.ts"), "--workflow", "awaits-approval", "--input", '{"item":"pen"}', ...db], cli);
    expect(ran.code, ran.stderr).toBe(3);
    const [approve, resume] = hintsIn(ran.stdout);
    expect(approve).toMatch(/^duro approve r_\w+ manager --db sqlite:/);
    expect(execute(approve as string, cli).code).toBe(0);
    const resumed = execute(resume as string, cli);
    expect(resumed.code, resumed.output).toBe(0);
    // The resumed process did not see the wait start: it says who resolved it, not a made-up "after 0ms".
    expect(resumed.output).toMatch(/✓ manager#0 root\n/);
  });

  it("the signal hint for a run of another tenant names --tenant", async () => {
    const engine = createEngine({ store: openSqliteStore(path), workflows: [kid], tenant: "acme" });
    await engine.start(kid, { key: "acme-paid" }, { id: "r_acme" });
    await engine.runUntilSettled("r_acme");
    await engine.close();
    const shown = await duro(["runs", "show", "r_acme", ...db], cli);
    expect(shown.code, shown.stderr).toBe(0);
    const signal = hintsIn(shown.stdout).find((h) => h.startsWith("duro signal")) as string;
    expect(signal).toContain("--tenant acme");
    const sent = execute(signal, cli);
    expect(sent.code, sent.output).toBe(0);
    expect(sent.output).toContain("delivered to r_acme");
  });

  it("the resume hint for a child run works", async () => {
    const ran = await duro(["run", fixture("family.ts"), "--input", '{"key":"kid-go"}', ...db], cli);
    expect(ran.code, ran.stderr).toBe(3);
    const parent = /run (r_\w+) waiting/.exec(ran.stdout)?.[1] as string;
    const shown = await duro(["runs", "show", parent, ...db], cli);
    const resumeChild = hintsIn(shown.stdout).find((h) => h.startsWith("duro resume")) as string;
    const resumed = execute(resumeChild, cli);
    expect(resumed.code, resumed.output).toBe(3);
    expect(resumed.output).toContain("kid-go");
    const signal = hintsIn(resumed.output).find((h) => h.startsWith("duro signal")) as string;
    expect(execute(signal, cli).code).toBe(0);
  });

  it("a budget suspension hints duro limits raise, which continues the run", async () => {
    const script = join(dir, "script.json");
    const call = { toolCalls: [{ name: "noop", arguments: {} }], usage: { inputTokens: 500, outputTokens: 500 } };
    writeFileSync(script, JSON.stringify({ replies: [call, call, { content: "done", usage: { inputTokens: 500, outputTokens: 500 } }] }));
    const ran = await duro(["run", fixture("agent-budget.ts"), "--mock-llm", script, ...db], cli);
    expect(ran.code, ran.stderr).toBe(3);
    const raise = hintsIn(ran.stdout).find((h) => h.startsWith("duro limits")) as string;
    expect(raise).toMatch(/^duro limits raise r_\w+ --db \S+ --max-cost-usd <usd>$/);
    const raised = execute(raise, cli);
    expect(raised.code, raised.output).toBe(0);
    expect(raised.output).toContain("raised");
  });

  it("the resume hint of a pack run repeats the --pubkey it was trusted with", async () => {
    const files = smallPackFiles();
    files["flows/hello.yaml"] =
      "id: hello\nnodes:\n  gate: { approval: { summary: check }, next: greet }\n  greet: { call: greet, with: { name: input.name } }\n";
    const { dir: pack, keys } = await signedPack(files);
    const pubkey = join(dir, "pack.pub.pem");
    writeFileSync(pubkey, keys.publicKeyPem);
    const ran = await duro(["run", pack, "--pubkey", pubkey, "--input", '{"name":"ada"}', ...db], cli);
    expect(ran.code, ran.stderr).toBe(3);
    const [approve, resume] = hintsIn(ran.stdout);
    expect(resume).toContain(`--pubkey ${pubkey}`);
    expect(execute(approve as string, cli).code).toBe(0);
    const resumed = execute(resume as string, cli);
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toMatch(/run r_\w+ completed/);
  });

  it("runs list's next-page hint keeps its filters and works", async () => {
    const listed = await duro(["runs", "list", "--limit", "1", ...db], cli);
    const more = hintsIn(listed.stdout).find((h) => h.startsWith("duro runs list")) as string;
    expect(more).toMatch(/^duro runs list --limit 1 --cursor \S+ --db /);
    const next = execute(more, cli);
    expect(next.code, next.output).toBe(0);
    expect(next.output).toContain("r_");
  });

  it("runs list's next-page hint under --since, --version and --sort updated lists the same range in the same order", async () => {
    for (const item of ["ink", "nib"]) {
      const ran = await duro(["run", fixture("waiting.ts"), "--workflow", "awaits-approval", "--input", `{"item":"${item}"}`, ...db], cli);
      expect(ran.code, ran.stderr).toBe(3);
    }
    const filter = ["--workflow", "awaits-approval", "--since", "1h", "--sort", "updated", "--limit", "1"];
    const first = JSON.parse((await duro(["runs", "list", ...filter, "--json", ...db], cli)).stdout) as {
      runs: Array<{ id: string; version: string }>;
    };
    const version = first.runs[0]?.version as string;
    const printed = await duro(["runs", "list", ...filter, "--version", version, ...db], cli);
    const more = hintsIn(printed.stdout).find((h) => h.startsWith("duro runs list")) as string;
    // The relative time is printed resolved, so the next page is of the same range however late it is run.
    expect(more).toMatch(/--since \d{4}-\d\d-\d\dT[\d:.]+Z --sort updated --limit 1 --cursor u\d+\.\d+ --db /);
    const next = execute(more, cli);
    expect(next.code, next.output).toBe(0);
    expect(next.output).toContain("r_");
    expect(next.output).not.toContain(first.runs[0]?.id as string);
  });
});

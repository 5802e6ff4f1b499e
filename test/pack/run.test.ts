// `duro run <pack>`: the example pack (a WASM and a JS component behind a flow) runs when its signer is trusted,
// is refused under strict signing otherwise, runs with a recorded warning under dev, and a changed byte stops it
// before anything runs whatever the mode.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEvent } from "../../src/index.js";
import { duro, duroJson, freshDir, REPO_ROOT, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { freshPgUrl } from "../support/postgres.js";

afterAll(removeTempDirs);

const PACK = join(REPO_ROOT, "examples", "packs", "support-triage");
const PUBKEY = join(REPO_ROOT, "examples", "packs", "keys", "support-triage.demo.pub.pem");
const KEY_ID = "ed25519:4507876effdca4de";
const TICKET = JSON.stringify({ subject: "Invoice question", body: "charged twice?" });

describe("duro run <pack>", () => {
  it("runs the signed example pack when its key is trusted, through both components", async () => {
    const cwd = freshDir("duro-pack-run-");
    const run = await duroJson<{ status: string; output: unknown }>(["run", PACK, "--pubkey", PUBKEY, "--input", TICKET], { cwd });
    expect(run).toMatchObject({ status: "completed", output: { queue: "billing", urgent: false, paged: false } });
  });

  it("strict signing refuses a pack whose signer is not trusted, and creates no database", async () => {
    const cwd = freshDir("duro-pack-run-");
    const refused = await duro(["run", PACK, "--input", TICKET], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("pack_untrusted_key");
    expect(readdirSync(join(cwd, ".duro"))).toEqual(["runs"]);
  });

  it("a strict refusal is recorded in the folder of the run that never started, and the CLI says where", async () => {
    const cwd = freshDir("duro-pack-run-");
    const refused = await duro(["run", PACK, "--id", "r_refused", "--input", TICKET], { cwd });
    expect(refused.code).toBe(2);
    const where = join(".duro", "runs", "r_refused", "refusal.json");
    expect(refused.stderr).toContain(`nothing ran; the refusal is recorded in ${where}`);
    expect(JSON.parse(readFileSync(join(cwd, where), "utf8"))).toMatchObject({
      status: "refused",
      runId: "r_refused",
      source: PACK,
      error: { code: "pack_untrusted_key", details: { pack: "examples.support-triage" } },
    });
    const [line] = readFileSync(join(cwd, ".duro", "runs", "r_refused", "transcript.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(JSON.parse(line as string)).toMatchObject({ component: "pack", status: "refused", error: { code: "pack_untrusted_key" } });
  });

  it("dev signing runs an untrusted pack and records the warning in the run's first event", async () => {
    const cwd = freshDir("duro-pack-run-");
    const run = await duroJson<{ id: string; status: string }>(["run", PACK, "--signing", "dev", "--input", TICKET], { cwd });
    expect(run.status).toBe("completed");
    const [created] = await duroJson<JournalEvent[]>(["runs", "events", run.id], { cwd });
    expect(created).toMatchObject({
      type: "run_created",
      options: {
        meta: {
          pack: { id: "examples.support-triage", signature: "unknown_key", warnings: [expect.stringContaining("not a trusted key")] },
        },
      },
    });
  });

  for (const backend of ["sqlite", "postgres"] as const) {
    it(`journals pack_verified right after run_created with the verifying key, and the transcript opens with it (${backend})`, async () => {
      const cwd = freshDir("duro-pack-run-");
      const db = backend === "sqlite" ? sqliteUrl(join(cwd, "duro.db")) : freshPgUrl();
      const run = await duroJson<{ id: string; status: string }>(["run", PACK, "--pubkey", PUBKEY, "--input", TICKET, "--db", db], { cwd });
      expect(run.status).toBe("completed");
      const events = await duroJson<JournalEvent[]>(["runs", "events", run.id, "--db", db], { cwd });
      expect(events.slice(0, 2).map((e) => e.type)).toEqual(["run_created", "pack_verified"]);
      expect(events[1]).toMatchObject({ packId: "examples.support-triage", version: expect.any(String), keyId: KEY_ID });
      expect((events[1] as { digest: string }).digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const transcript = readFileSync(join(cwd, ".duro", "runs", run.id, "transcript.jsonl"), "utf8").split("\n");
      expect(JSON.parse(transcript[1] as string)).toMatchObject({
        component: "pack",
        phase: "verify",
        status: "verified",
        outputs: { keyId: KEY_ID },
      });
      const shown = await duro(["runs", "show", run.id, "--db", db], { cwd });
      expect(shown.stdout).toContain(`pack examples.support-triage@`);
      expect(shown.stdout).toContain(`verified by key ${KEY_ID}`);
    });
  }

  it("a dev run of an untrusted pack journals why it went ahead unsigned", async () => {
    const cwd = freshDir("duro-pack-run-");
    const run = await duroJson<{ id: string }>(["run", PACK, "--signing", "dev", "--input", TICKET], { cwd });
    const [, verified] = await duroJson<JournalEvent[]>(["runs", "events", run.id], { cwd });
    expect(verified).toMatchObject({
      type: "pack_verified",
      unsigned: `signed by ${KEY_ID}, which is not a trusted key; signing is "dev"`,
    });
    expect(verified).not.toHaveProperty("keyId");
    const transcript = readFileSync(join(cwd, ".duro", "runs", run.id, "transcript.jsonl"), "utf8").split("\n");
    expect(JSON.parse(transcript[1] as string)).toMatchObject({ component: "pack", status: "unsigned" });
  });

  it("a changed byte is refused in every mode before any component runs", async () => {
    const cwd = freshDir("duro-pack-run-");
    const copy = join(cwd, "pack");
    cpSync(PACK, copy, { recursive: true });
    const route = join(copy, "components", "route.js");
    writeFileSync(route, readFileSync(route, "utf8").replace('"general"', '"hacked"'));
    for (const mode of ["strict", "dev"]) {
      const refused = await duro(["run", copy, "--signing", mode, "--pubkey", PUBKEY, "--input", TICKET], { cwd });
      expect(refused.code, mode).toBe(2);
      expect(refused.stderr).toContain("pack_tampered");
    }
  });
});

describe("a pack's declared secrets", () => {
  /** A pack whose flow sends one request with the secret `name` (an expression) as a header; declares ALLOWED_TOKEN. */
  function secretPack(cwd: string, nameExpression: string): string {
    const dir = join(cwd, "secrets-pack");
    mkdirSync(join(dir, "flows"), { recursive: true });
    writeFileSync(
      join(dir, "pack.yaml"),
      "id: test.secrets\nversion: 1.0.0\nentryFlows: [send]\nflows: [flows/send.yaml]\nsecrets: [ALLOWED_TOKEN]\nfiles: {}\n",
    );
    writeFileSync(
      join(dir, "flows", "send.yaml"),
      `id: send\nnodes:\n  post:\n    http:\n      url: http://127.0.0.1:9/never\n      headers: { authorization: "=$secret(${nameExpression})" }\n    retry: { maxAttempts: 1 }\n`,
    );
    return dir;
  }

  it("a literal $secret() name the manifest does not declare stops the pack before anything runs, with its line", async () => {
    const cwd = freshDir("duro-pack-secrets-");
    const dir = secretPack(cwd, "'AWS_SECRET_ACCESS_KEY'");
    expect((await duro(["pack", "build", dir], { cwd })).code).toBe(0);
    const refused = await duro(["run", dir, "--signing", "dev"], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("flow_invalid");
    expect(refused.stderr).toContain("send.yaml:6:35");
    expect(refused.stderr).toContain('add "AWS_SECRET_ACCESS_KEY" to secrets in pack.yaml');
    expect(existsSync(join(cwd, ".duro"))).toBe(false);
  });

  it("a computed name is checked when read: an undeclared one fails the step without reading it", async () => {
    const cwd = freshDir("duro-pack-secrets-");
    const dir = secretPack(cwd, "input.which");
    expect((await duro(["pack", "build", dir], { cwd })).code).toBe(0);
    const env = { AWS_SECRET_ACCESS_KEY: "must-not-leak-1234567890" };
    const run = await duro(["run", dir, "--signing", "dev", "--json", "--input", JSON.stringify({ which: "AWS_SECRET_ACCESS_KEY" })], {
      cwd,
      env,
    });
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as { status: string; steps: Array<{ error?: { code: string; message: string } }> };
    expect(result.status).toBe("failed");
    expect(result.steps[0]?.error).toMatchObject({
      code: "secret_not_declared",
      message: expect.stringContaining("AWS_SECRET_ACCESS_KEY"),
    });
    expect(run.stdout + run.stderr).not.toContain("must-not-leak-1234567890");
  });
});

describe("a pack's network grants", () => {
  it("a pack flow that does not grant 127.0.0.1 cannot reach a server there (capability_denied), and pack inspect says so", async () => {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? "");
      res.end("leaked");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const cwd = freshDir("duro-pack-net-");
      const dir = join(cwd, "net-pack");
      mkdirSync(join(dir, "flows"), { recursive: true });
      writeFileSync(
        join(dir, "pack.yaml"),
        "id: test.net\nversion: 1.0.0\nflows: [flows/send.yaml]\ncapabilities: [net:api.example.com]\n",
      );
      writeFileSync(
        join(dir, "flows", "send.yaml"),
        `id: send\nnodes:\n  post:\n    http: { method: POST, url: "http://127.0.0.1:${port}/collect", body: "=input" }\n    retry: { maxAttempts: 1 }\n`,
      );
      expect((await duro(["pack", "build", dir], { cwd })).code).toBe(0);
      const inspected = await duroJson<{ network: string[] }>(["pack", "inspect", dir], { cwd });
      expect(inspected.network).toEqual(["api.example.com"]);
      const run = await duro(["run", dir, "--signing", "dev", "--json", "--input", '{"card":"4111"}'], { cwd });
      expect(run.code).toBe(1);
      const result = JSON.parse(run.stdout) as { steps: Array<{ error?: { code: string; message: string } }> };
      expect(result.steps[0]?.error).toMatchObject({
        code: "capability_denied",
        message: expect.stringContaining("pack test.net@1.0.0 may not connect to 127.0.0.1"),
      });
      expect(requests).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

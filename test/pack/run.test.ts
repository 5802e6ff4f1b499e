// `duro run <pack>`: the example pack (a WASM and a JS component behind a flow) runs when its signer is trusted,
// is refused under strict signing otherwise, runs with a recorded warning under dev, and a changed byte stops it
// before anything runs whatever the mode.
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEvent } from "../../src/index.js";
import { duro, duroJson, freshDir, REPO_ROOT, removeTempDirs } from "../support/cli.js";

afterAll(removeTempDirs);

const PACK = join(REPO_ROOT, "examples", "packs", "support-triage");
const PUBKEY = join(REPO_ROOT, "examples", "packs", "keys", "support-triage.demo.pub.pem");
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
    expect(existsSync(join(cwd, ".duro"))).toBe(false);
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

// `duro run <pack>` with a WASI preview 2 component: the signed example runs on SQLite and PostgreSQL; a component
// importing what it was not granted stops the pack before any run exists; the digest and signature cover its bytes.
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { duro, duroJson, freshDir, REPO_ROOT, removeTempDirs, sqliteUrl } from "../support/cli.js";
import { fixtureComponent, signedPack } from "../support/packs.js";
import { freshPgUrl } from "../support/postgres.js";

afterAll(removeTempDirs);

const PACK = join(REPO_ROOT, "examples", "packs", "wasi-envelope");
const PUBKEY = join(REPO_ROOT, "examples", "packs", "keys", "wasi-envelope.demo.pub.pem");
const TICKET = JSON.stringify({ subject: "Checkout is down" });

describe("duro run <pack> with a WASI preview 2 component", () => {
  for (const [store, db] of [
    ["SQLite", (cwd: string) => sqliteUrl(join(cwd, "duro.db"))],
    ["PostgreSQL", () => freshPgUrl()],
  ] as const) {
    it(`runs the signed example pack through its component on ${store}`, async () => {
      const cwd = freshDir("duro-p2-run-");
      const args = ["run", PACK, "--pubkey", PUBKEY, "--input", TICKET, "--db", db(cwd)];
      const run = await duroJson<{ status: string; output: unknown }>(args, { cwd });
      expect(run).toMatchObject({ status: "completed", output: { ok: true, via: "wasi-p2", data: { subject: "Checkout is down" } } });
    });
  }

  it("refuses a pack whose component imports the clock it was not granted, before any run exists", async () => {
    const cwd = freshDir("duro-p2-run-");
    const { dir, keys } = await signedPack({
      "pack.yaml":
        "id: test.clock\nversion: 0.1.0\nentryFlows: [tick]\nflows: [flows/tick.yaml]\ncomponents:\n  clock: { kind: wasm, path: components/clock.wasm }\n",
      "flows/tick.yaml": "id: tick\nnodes:\n  tick: { call: clock, with: {} }\n",
      "components/clock.wasm": await fixtureComponent("p2-clock"),
    });
    const pub = join(cwd, "signer.pub.pem");
    writeFileSync(pub, keys.publicKeyPem);
    const refused = await duro(["run", dir, "--pubkey", pub, "--input", "{}"], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("component_import_denied");
    expect(refused.stderr).toContain("wasi:clocks/wall-clock");
    expect(existsSync(join(cwd, ".duro"))).toBe(false);
  });

  it("a changed byte of the component is refused, and so is a rebuilt files list that the signer did not sign", async () => {
    const cwd = freshDir("duro-p2-run-");
    const copy = join(cwd, "pack");
    cpSync(PACK, copy, { recursive: true });
    const wasm = join(copy, "components", "envelope.wasm");
    const bytes = readFileSync(wasm);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    writeFileSync(wasm, bytes);
    const tampered = await duro(["run", copy, "--pubkey", PUBKEY, "--input", TICKET], { cwd });
    expect(tampered.code).toBe(2);
    expect(tampered.stderr).toContain("pack_tampered");

    // `pack build` lists the new digest and removes the signature it invalidates: strict signing refuses the pack.
    const rebuilt = await duro(["pack", "build", copy], { cwd });
    expect(rebuilt.code).toBe(0);
    const unsigned = await duro(["run", copy, "--pubkey", PUBKEY, "--input", TICKET], { cwd });
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toContain("pack_unsigned");
  });
});

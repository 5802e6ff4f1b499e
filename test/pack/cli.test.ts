// Process-level: the real `duro` binary (run `npm run build` first) builds, signs, verifies and inspects packs.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readZip, writeZip } from "../../src/pack/index.js";
import { duro, duroJson, freshDir, removeTempDirs } from "../support/cli.js";
import { smallPackFiles, writeFiles } from "../support/packs.js";

afterAll(removeTempDirs);

describe("duro pack and duro keys", () => {
  it("build, sign, verify and inspect a pack end to end", async () => {
    const cwd = freshDir("duro-cli-pack-");
    writeFiles(smallPackFiles(), join(cwd, "small"));

    const keys = await duroJson<{ keyId: string; privateKey: string; publicKey: string }>(["keys", "generate", "--out", "keys"], { cwd });
    expect(keys.keyId).toMatch(/^ed25519:[0-9a-f]{16}$/);
    const again = await duro(["keys", "generate", "--out", "keys"], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("key_exists");

    const built = await duroJson<{ files: number; out: string }>(["pack", "build", "small", "--out", "small.duropack"], { cwd });
    expect(built).toMatchObject({ files: 4, out: "small.duropack" });
    expect(readFileSync(join(cwd, "small", "pack.yaml"), "utf8")).toContain("components/greet.js: sha256:");

    const unsigned = await duro(["pack", "verify", "small.duropack", "--pubkey", keys.publicKey], { cwd });
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toContain("pack_unsigned");

    const signed = await duroJson<{ keyId: string }>(["pack", "sign", "small.duropack", "--key", keys.privateKey], { cwd });
    expect(signed.keyId).toBe(keys.keyId);

    const verified = await duroJson<{ signature: { status: string; keyId: string } }>(
      ["pack", "verify", "small.duropack", "--pubkey", keys.publicKey],
      { cwd },
    );
    expect(verified.signature).toMatchObject({ status: "valid", keyId: keys.keyId });

    const untrusted = await duro(["pack", "verify", "small.duropack"], { cwd });
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toContain("pack_untrusted_key");

    const inspected = await duroJson<Record<string, unknown>>(["pack", "inspect", "small.duropack"], { cwd });
    expect(inspected).toMatchObject({
      id: "test.small",
      version: "0.1.0",
      form: "zip",
      signature: { status: "unknown_key", keyId: keys.keyId },
      entryFlows: ["hello"],
      flows: ["flows/hello.yaml"],
      components: [
        { name: "envelope", kind: "wasm", capabilities: [] },
        { name: "greet", kind: "js", capabilities: [] },
      ],
      capabilities: [],
      secrets: [],
    });

    // Trust through the default trusted keys directory instead of --pubkey.
    mkdirSync(join(cwd, ".duro", "trusted-keys"), { recursive: true });
    copyFileSync(keys.publicKey, join(cwd, ".duro", "trusted-keys", "release.pem"));
    const trusted = await duro(["pack", "verify", "small.duropack"], { cwd });
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain("signature valid");

    // One changed byte in one file of the signed archive: refused.
    const files = await readZip(readFileSync(join(cwd, "small.duropack")));
    const greet = Buffer.from(files.get("components/greet.js") as Uint8Array);
    greet[0] = (greet[0] as number) ^ 0x20;
    writeFileSync(join(cwd, "small.duropack"), writeZip(new Map(files).set("components/greet.js", greet)));
    const tampered = await duro(["pack", "verify", "small.duropack"], { cwd });
    expect(tampered.code).toBe(2);
    expect(tampered.stderr).toContain("pack_tampered");
  }, 120_000);

  it("signs a directory pack in place and inspects it as text", async () => {
    const cwd = freshDir("duro-cli-pack-");
    writeFiles(smallPackFiles(), join(cwd, "small"));
    await duroJson(["keys", "generate", "--out", "keys", "--name", "release"], { cwd });
    expect((await duro(["pack", "build", "small"], { cwd })).code).toBe(0);
    expect((await duro(["pack", "sign", "small", "--key", "keys/release.key.pem"], { cwd })).code).toBe(0);
    const inspected = await duro(["pack", "inspect", "small", "--pubkey", "keys/release.pub.pem"], { cwd });
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/signature: +valid \(key ed25519:/);
    expect(inspected.stdout).toContain("envelope (wasm)");
  }, 60_000);

  it("refuses a missing subcommand or pack with exit 2", async () => {
    const cwd = freshDir("duro-cli-pack-");
    expect((await duro(["pack"], { cwd })).code).toBe(2);
    expect((await duro(["keys", "rotate"], { cwd })).code).toBe(2);
    const missing = await duro(["pack", "inspect", "nowhere.duropack"], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("pack_not_found");
  });
});

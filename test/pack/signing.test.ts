import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildPack, generateKeys, openPack, readPack, SIGNATURE_FILE, signPack, writeZip } from "../../src/pack/index.js";
import { example, freshDir, removeTempDirs } from "../support/cli.js";
import { signedPack, smallPackFiles, writeFiles } from "../support/packs.js";

afterAll(removeTempDirs);

const REFUSALS = ["pack_tampered", "pack_signature_invalid", "pack_invalid", "pack_untrusted_key", "pack_unsigned", "pack_file_unlisted"];

function allFiles(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const name = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? allFiles(dir, name) : [name];
  });
}

/** Opens under strict and reports the refusal code, or "opened" when the pack was accepted. */
async function strictOutcome(path: string, trustedKeys: string[]): Promise<string> {
  try {
    await openPack(path, { signing: "strict", trustedKeys });
    return "opened";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe("signed packs", () => {
  it("a signed pack opens under strict with its signer's key trusted, and its components run", async () => {
    const { dir, keys } = await signedPack();
    const pack = await openPack(dir, { signing: "strict", trustedKeys: [keys.publicKeyPem] });
    expect(pack.signature).toEqual({ status: "valid", keyId: keys.keyId });
    expect(pack.warnings).toEqual([]);
    expect(pack.entryFlows).toEqual(["hello"]);
    expect(pack.schemas).toEqual([{ path: "schemas/name.json", text: '{ "type": "object", "required": ["name"] }\n' }]);
    const step = { idempotencyKey: "r:x#0", attempt: 1, signal: new AbortController().signal, emit: () => {} };
    await expect(pack.components.greet?.({ name: "Ada" }, step)).resolves.toEqual({ greeting: "hello Ada" });
    await expect(pack.components.envelope?.({ name: "Ada" }, step)).resolves.toEqual({ ok: true, data: { name: "Ada" } });
  });

  it("changing any byte of any file of a signed directory pack makes strict refuse it", async () => {
    const { dir, keys } = await signedPack();
    const files = allFiles(dir);
    expect(files).toContain(SIGNATURE_FILE);
    const outcomes = new Map<string, number>();
    let changes = 0;
    for (const file of files) {
      const original = readFileSync(join(dir, file));
      for (let i = 0; i < original.length; i++) {
        const changed = Buffer.from(original);
        changed[i] = (changed[i] as number) ^ 0x01;
        writeFileSync(join(dir, file), changed);
        const outcome = await strictOutcome(dir, [keys.publicKeyPem]);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        changes += 1;
      }
      writeFileSync(join(dir, file), original);
    }
    expect(changes).toBeGreaterThan(1000);
    expect(outcomes.get("opened")).toBeUndefined();
    expect([...outcomes.keys()].every((code) => REFUSALS.includes(code))).toBe(true);
    await expect(strictOutcome(dir, [keys.publicKeyPem])).resolves.toBe("opened");
  }, 240_000);

  it("changing any byte of any file of a signed .duropack makes strict refuse it", async () => {
    const { dir, keys } = await signedPack();
    const files = new Map(allFiles(dir).map((name) => [name, new Uint8Array(readFileSync(join(dir, name)))]));
    const path = join(freshDir("duro-sign-"), "small.duropack");
    writeFileSync(path, writeZip(files));
    await expect(strictOutcome(path, [keys.publicKeyPem])).resolves.toBe("opened");
    const opened: string[] = [];
    let changes = 0;
    for (const [name, bytes] of files) {
      for (let i = 0; i < bytes.length; i++) {
        const changed = new Uint8Array(bytes);
        changed[i] = (changed[i] as number) ^ 0x01;
        writeFileSync(path, writeZip(new Map(files).set(name, changed)));
        if ((await strictOutcome(path, [keys.publicKeyPem])) === "opened") opened.push(`${name}@${i}`);
        changes += 1;
      }
    }
    expect(changes).toBeGreaterThan(1000);
    expect(opened).toEqual([]);
  }, 240_000);

  it("a pack.sig whose public key is written in a non-canonical but equivalent base64 is invalid", async () => {
    const { dir, keys } = await signedPack();
    const sig = readFileSync(join(dir, SIGNATURE_FILE), "utf8");
    const pem = (JSON.parse(sig) as { publicKey: string }).publicKey;
    const body = pem.split("\n")[1] as string; // the one base64 line of an Ed25519 SPKI key, ending in "="
    const last = body.length - 2;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const twin = [...alphabet].find(
      (c) => c !== body[last] && Buffer.from(body.slice(0, last) + c + body.slice(last + 1), "base64").equals(Buffer.from(body, "base64")),
    ) as string;
    const twinBody = body.slice(0, last) + twin + body.slice(last + 1);
    writeFileSync(join(dir, SIGNATURE_FILE), sig.replace(body, twinBody));
    await expect(openPack(dir, { signing: "strict", trustedKeys: [keys.publicKeyPem] })).rejects.toMatchObject({
      code: "pack_signature_invalid",
    });
  });

  it("strict refuses an unsigned pack before any of its code runs; dev opens it with a warning", async () => {
    const marker = join(freshDir("duro-sign-"), "ran");
    const files = {
      ...smallPackFiles(),
      "components/greet.js": `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "x");\nexport default async () => 1;\n`,
    };
    const dir = writeFiles(files);
    buildPack(dir);
    await expect(openPack(dir, { signing: "strict" })).rejects.toMatchObject({ code: "pack_unsigned", category: "auth" });
    expect(existsSync(marker)).toBe(false);
    const pack = await openPack(dir, { signing: "dev" });
    expect(pack.signature).toEqual({ status: "unsigned" });
    expect(pack.warnings).toEqual([expect.stringContaining("is not signed")]);
    expect(existsSync(marker)).toBe(true);
  });

  it("strict refuses a pack signed by a key that is not trusted (pack_untrusted_key); dev warns", async () => {
    const { dir, keys } = await signedPack();
    const stranger = generateKeys();
    await expect(openPack(dir, { signing: "strict", trustedKeys: [stranger.publicKeyPem] })).rejects.toMatchObject({
      code: "pack_untrusted_key",
      details: { keyId: keys.keyId },
    });
    const pack = await openPack(dir, { signing: "dev" });
    expect(pack.signature).toEqual({ status: "unknown_key", keyId: keys.keyId });
    expect(pack.warnings).toHaveLength(1);
  });

  it("a pack re-signed by another key after tampering is refused unless that key is trusted", async () => {
    const { dir, keys } = await signedPack();
    const attacker = generateKeys();
    writeFileSync(join(dir, "components", "greet.js"), "export default async () => 'owned';\n");
    buildPack(dir);
    await signPack(dir, attacker.privateKeyPem);
    await expect(openPack(dir, { signing: "strict", trustedKeys: [keys.publicKeyPem] })).rejects.toMatchObject({
      code: "pack_untrusted_key",
    });
  });

  it("trusted keys can be given as a directory of .pem files or a .pem path", async () => {
    const { dir, keys } = await signedPack();
    const keysDir = writeFiles({ "alice.pem": generateKeys().publicKeyPem, "release.pem": keys.publicKeyPem, "notes.txt": "ignored" });
    await expect(openPack(dir, { trustedKeys: [keysDir] })).resolves.toMatchObject({ signature: { status: "valid" } });
    await expect(openPack(dir, { trustedKeys: [join(keysDir, "release.pem")] })).resolves.toMatchObject({ signature: { status: "valid" } });
    await expect(openPack(dir, { trustedKeys: [join(keysDir, "notes.txt")] })).rejects.toMatchObject({ code: "pack_key_invalid" });
  });

  it("the committed example pack verifies with the committed demo public key", async () => {
    const pack = await openPack(example("packs/support-triage"), {
      signing: "strict",
      trustedKeys: [example("packs/keys/support-triage.demo.pub.pem")],
    });
    expect(pack.manifest.id).toBe("examples.support-triage");
    const step = { idempotencyKey: "r:x#0", attempt: 1, signal: new AbortController().signal, emit: () => {} };
    const wrapped = await pack.components.envelope?.({ subject: "Site is down", body: "error 500 everywhere" }, step);
    await expect(pack.components.route?.({ ticket: wrapped }, step)).resolves.toEqual({ queue: "outage", urgent: true });
    expect((await readPack(example("packs/support-triage"))).form).toBe("directory");
  });
});

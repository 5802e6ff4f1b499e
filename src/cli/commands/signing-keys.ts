// `duro keys generate`: an Ed25519 key pair for signing packs (a subcommand of `duro keys`, see keys.ts).
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuroError } from "../../core/index.js";
import { EXIT, output, parse } from "../common.js";

export async function generateSigningKeys(args: string[]): Promise<number> {
  const { values } = parse(args, { out: { type: "string", default: ".duro/keys" }, name: { type: "string", default: "pack-signing" } });
  const out = output(values.json);
  const dir = resolve(values.out);
  const privatePath = join(dir, `${values.name}.key.pem`);
  const publicPath = join(dir, `${values.name}.pub.pem`);
  if (existsSync(privatePath) || existsSync(publicPath)) {
    throw new DuroError(
      "key_exists",
      `${privatePath} or ${publicPath} already exists; pick another --name or --out, keys are never overwritten`,
      {
        category: "input",
        details: { path: privatePath },
      },
    );
  }
  const { generateKeys } = await import("../../pack/index.js");
  const keys = generateKeys();
  mkdirSync(dir, { recursive: true });
  writeFileSync(privatePath, keys.privateKeyPem, { mode: 0o600 });
  chmodSync(privatePath, 0o600);
  writeFileSync(publicPath, keys.publicKeyPem);
  out.print(
    `key ${keys.keyId}\n  private: ${privatePath} (keep it secret; sign with \`duro pack sign <pack> --key ${privatePath}\`)\n  public:  ${publicPath} (give it to those who run your packs: .duro/trusted-keys/ or --pubkey)`,
  );
  out.data({ keyId: keys.keyId, privateKey: privatePath, publicKey: publicPath });
  return EXIT.ok;
}

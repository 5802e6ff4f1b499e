// `duro pack build|sign|verify|inspect`: make a pack, sign it, and check one before running it.
import { readFileSync } from "node:fs";
import { DuroError } from "../../core/index.js";
import type { SignatureCheck } from "../../pack/index.js";
import type { CliCommand } from "../command.js";
import { EXIT, output, parse, requirePositional, usage } from "../common.js";
import { trustedKeySources } from "../pack-flags.js";

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  build: buildCommand,
  sign: signCommand,
  verify: verifyCommand,
  inspect: inspectCommand,
};

export const packCommand: CliCommand = {
  name: "pack",
  async run(args) {
    const [sub, ...rest] = args;
    const run = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (!run) throw usage(sub === undefined ? "duro pack needs a subcommand" : `unknown subcommand "pack ${sub}"`);
    return run(rest);
  },
};

/** The pack modules (zip, yaml, signatures) load only when a pack command runs, not with every `duro` command. */
const packModule = () => import("../../pack/index.js");

const TRUST_OPTIONS = {
  pubkey: { type: "string", multiple: true },
  "trusted-keys": { type: "string" },
} as const;

async function buildCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: "string" } });
  const out = output(values.json);
  const dir = requirePositional(positionals, 0, "the pack directory: duro pack build <dir>");
  const { buildPack } = await packModule();
  const result = buildPack(dir, values.out === undefined ? {} : { out: values.out });
  out.print(
    [
      `built ${result.manifest.id}@${result.manifest.version}: ${result.files} file(s) listed in pack.yaml`,
      ...(result.signatureRemoved ? ["pack.yaml changed, so its old pack.sig was removed; sign it again"] : []),
      ...(result.out ? [`wrote ${result.out}`] : []),
    ].join("\n"),
  );
  out.data({
    id: result.manifest.id,
    version: result.manifest.version,
    files: result.files,
    out: result.out ?? null,
    signatureRemoved: result.signatureRemoved,
  });
  return EXIT.ok;
}

async function signCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { key: { type: "string" } });
  const out = output(values.json);
  const path = requirePositional(positionals, 0, "the pack: duro pack sign <pack> --key <private.pem>");
  if (values.key === undefined) throw usage("duro pack sign needs --key <private.pem> (create one with `duro keys generate`)");
  let pem: string;
  try {
    pem = readFileSync(values.key, "utf8");
  } catch (error) {
    throw new DuroError("pack_key_invalid", `cannot read the signing key ${values.key}: ${(error as Error).message}`, {
      category: "input",
    });
  }
  const { signPack } = await packModule();
  const { keyId, manifest } = await signPack(path, pem);
  out.print(`signed ${manifest.id}@${manifest.version} with key ${keyId}`);
  out.data({ id: manifest.id, version: manifest.version, keyId });
  return EXIT.ok;
}

async function verifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, TRUST_OPTIONS);
  const out = output(values.json);
  const path = requirePositional(positionals, 0, "the pack: duro pack verify <pack>");
  const { verifyPack } = await packModule();
  const { pack, signature } = await verifyPack(path, { signing: "strict", trustedKeys: trustedKeySources(values) });
  out.print(
    `${pack.manifest.id}@${pack.manifest.version}: signature valid (key ${signature.keyId}), ${Object.keys(pack.manifest.files).length} file digest(s) match`,
  );
  out.data({ id: pack.manifest.id, version: pack.manifest.version, signature: signatureJson(signature) });
  return EXIT.ok;
}

async function inspectCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, TRUST_OPTIONS);
  const out = output(values.json);
  const path = requirePositional(positionals, 0, "the pack: duro pack inspect <pack>");
  const { netGrants, verifyPack } = await packModule();
  const { pack, signature } = await verifyPack(path, { signing: "dev", trustedKeys: trustedKeySources(values) });
  const m = pack.manifest;
  const network = netGrants(m.capabilities);
  const components = Object.entries(m.components).map(([name, c]) => ({ name, kind: c.kind, path: c.path, capabilities: c.capabilities }));
  out.print(
    [
      `${m.id}@${m.version}${m.description ? ` — ${m.description}` : ""}`,
      `  form:         ${pack.form}`,
      `  signature:    ${signature.status}${signature.keyId ? ` (key ${signature.keyId})` : ""}${signature.reason && signature.status !== "unsigned" ? `: ${signature.reason}` : ""}`,
      `  entry flows:  ${m.entryFlows.join(", ") || "(all)"}`,
      `  flows:        ${m.flows.join(", ") || "(none)"}`,
      `  components:   ${components.map((c) => `${c.name} (${c.kind}${c.capabilities.length ? `: ${c.capabilities.join(", ")}` : ""})`).join(", ") || "(none)"}`,
      `  capabilities: ${m.capabilities.join(", ") || "(none)"}`,
      `  network:      ${network.length ? `http nodes may reach ${network.join(", ")}` : "none: http nodes may reach no host"}`,
      `  secrets:      ${m.secrets.join(", ") || "(none)"}`,
      `  files:        ${Object.keys(m.files).length}`,
    ].join("\n"),
  );
  out.data({
    id: m.id,
    version: m.version,
    form: pack.form,
    signature: signatureJson(signature),
    entryFlows: m.entryFlows,
    flows: m.flows,
    components,
    capabilities: m.capabilities,
    network,
    secrets: m.secrets,
    files: Object.keys(m.files).length,
  });
  return EXIT.ok;
}

function signatureJson(signature: SignatureCheck) {
  return { status: signature.status, keyId: signature.keyId ?? null, reason: signature.reason ?? null };
}

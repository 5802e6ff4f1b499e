// `duro keys`: API keys for `duro serve` (`create` prints the token once; only its sha256 is stored), and
// Ed25519 key pairs for signing packs (`generate`, in signing-keys.ts).

import type { CliCommand } from "../command.js";
import { EXIT, openDb, output, parse, requirePositional, usage } from "../common.js";
import { generateSigningKeys } from "./signing-keys.js";

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  generate: generateSigningKeys,
  create: createKey,
  list: listKeys,
  revoke: revokeKey,
};

export const keysCommand: CliCommand = {
  name: "keys",
  run: async ([sub, ...rest]) => {
    const handler = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (!handler)
      throw usage(
        `unknown "keys ${sub ?? ""}"; use ${Object.keys(SUBCOMMANDS)
          .map((s) => `keys ${s}`)
          .join(", ")}`,
      );
    return handler(rest);
  },
};

async function createKey(args: string[]): Promise<number> {
  const { values } = parse(args, {
    tenant: { type: "string" },
    "all-tenants": { type: "boolean", default: false },
    role: { type: "string" },
    name: { type: "string" },
  });
  if (values["all-tenants"] && values.tenant !== undefined) throw usage("give --tenant <t> or --all-tenants, not both");
  if (values.tenant === undefined && !values["all-tenants"])
    throw usage("missing --tenant <t> (or --all-tenants for an admin key of every tenant)");
  if (values.role === undefined) throw usage("missing --role admin|operator|viewer");
  const out = output(values.json);
  const store = openDb(values.db, { create: true });
  try {
    const { ALL_TENANTS, createApiKey } = await import("../../server/index.js");
    const { token, key } = await createApiKey(store, {
      tenant: values.tenant ?? ALL_TENANTS,
      role: values.role as never,
      ...(values.name === undefined ? {} : { name: values.name }),
    });
    out.data({ token, key });
    out.print(
      `created ${key.role} key ${key.id} for ${key.tenant === ALL_TENANTS ? "every tenant" : `tenant "${key.tenant}"`}; its token, shown this once (only its hash is stored):\n\n  ${token}\n`,
    );
    out.print(`use it as: curl -H "Authorization: Bearer ${token}" http://127.0.0.1:8080/v1/runs`);
  } finally {
    await store.close();
  }
  return EXIT.ok;
}

async function listKeys(args: string[]): Promise<number> {
  const { values } = parse(args, { tenant: { type: "string" } });
  const out = output(values.json);
  const store = openDb(values.db);
  try {
    const { publicKey } = await import("../../server/index.js");
    const keys = (await store.listApiKeys(values.tenant === undefined ? {} : { tenant: values.tenant })).map(publicKey);
    out.data(keys);
    if (keys.length === 0) out.print("no API keys; create one with duro keys create --tenant <t> --role <r>");
    for (const k of keys) {
      const state = k.revokedAt === undefined ? "active" : `revoked ${new Date(k.revokedAt).toISOString()}`;
      out.print(`${k.id}  ${k.tenant.padEnd(12)} ${k.role.padEnd(8)} ${state}${k.name ? `  ${k.name}` : ""}`);
    }
  } finally {
    await store.close();
  }
  return EXIT.ok;
}

async function revokeKey(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {});
  const id = requirePositional(positionals, 0, "the key id: duro keys revoke <keyId>");
  const out = output(values.json);
  const store = openDb(values.db);
  try {
    const key = await store.revokeApiKey(id);
    if (!key) throw usage(`no API key "${id}"; list them with duro keys list`);
    const { publicKey } = await import("../../server/index.js");
    out.data(publicKey(key));
    out.print(`revoked ${key.id} (tenant "${key.tenant}", ${key.role}); requests with its token now get 401`);
  } finally {
    await store.close();
  }
  return EXIT.ok;
}

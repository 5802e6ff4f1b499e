// Fixtures for pack tests: small packs written to temp directories, WebAssembly modules compiled from
// their .wat source with wabt, and attack archives written entry by entry with fflate.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { componentEmbed, componentNew, parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { Zip, ZipDeflate, ZipPassThrough } from "fflate";
import wabtInit from "wabt";
import { buildPack, generateKeys, type KeyPair, signPack } from "../../src/pack/index.js";
import { example, freshDir, REPO_ROOT } from "./cli.js";

/** Compiles WebAssembly text to a binary module. */
export async function compileWat(source: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat("fixture.wat", source);
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** A .wat fixture from test/pack/fixtures/, compiled. */
export function fixtureWasm(name: string): Promise<Uint8Array> {
  return compileWat(readFileSync(join(REPO_ROOT, "test", "pack", "fixtures", `${name}.wat`), "utf8"));
}

/** Compiles WebAssembly text and a WIT world (named `component`) to a WASI preview 2 component, with jco's wasm-tools. */
export async function compileComponent(wat: string, wit: string): Promise<Uint8Array> {
  const embedded = await componentEmbed({ binary: await parse(wat), witSource: wit, world: "component" });
  return componentNew(embedded, []);
}

/** test/pack/fixtures/<name>.component.wat with <name>.wit (or p2-basic.wit, the world that imports nothing), compiled. */
export function fixtureComponent(name: string): Promise<Uint8Array> {
  const file = (f: string) => join(REPO_ROOT, "test", "pack", "fixtures", f);
  const wit = existsSync(file(`${name}.wit`)) ? file(`${name}.wit`) : file("p2-basic.wit");
  return compileComponent(readFileSync(file(`${name}.component.wat`), "utf8"), readFileSync(wit, "utf8"));
}

/** The example pack's envelope component: stdin JSON → {"ok":true,"data":…}. */
export function envelopeWasm(): Uint8Array {
  return new Uint8Array(readFileSync(example("packs/support-triage/components/envelope.wasm")));
}

/** Writes files (name → text or bytes) under a fresh directory and returns it. */
export function writeFiles(files: Record<string, string | Uint8Array>, dir = freshDir("duro-pack-")): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

export const SMALL_MANIFEST = `id: test.small
version: 0.1.0
entryFlows: [hello]
flows: [flows/hello.yaml]
schemas: [schemas/name.json]
components:
  envelope: { kind: wasm, path: components/envelope.wasm, timeout: 5s }
  greet: { kind: js, path: components/greet.js }
`;

/** The files of a small pack with a wasm and a js component, before `build`. */
export function smallPackFiles(): Record<string, string | Uint8Array> {
  return {
    "pack.yaml": SMALL_MANIFEST,
    "flows/hello.yaml": "id: hello\nnodes:\n  greet: { kind: call, call: greet, with: { name: input.name } }\n",
    "schemas/name.json": '{ "type": "object", "required": ["name"] }\n',
    "components/envelope.wasm": envelopeWasm(),
    "components/greet.js": "export default async (input) => ({ greeting: 'hello ' + input.name });\n",
  };
}

/** A built and signed directory pack, and the key that signed it. */
export async function signedPack(files: Record<string, string | Uint8Array> = smallPackFiles()): Promise<{ dir: string; keys: KeyPair }> {
  const dir = writeFiles(files);
  buildPack(dir);
  const keys = generateKeys();
  await signPack(dir, keys.privateKeyPem);
  return { dir, keys };
}

export interface RawEntry {
  name: string;
  data: Uint8Array | string;
  /** Unix mode for the external attributes (e.g. 0o120777 for a symlink). */
  mode?: number;
  /** default true */
  compress?: boolean;
}

/** A zip written entry by entry, with no checks: names, duplicates and modes exactly as given. */
export function rawZip(entries: RawEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    chunks.push(chunk);
  });
  for (const entry of entries) {
    const options = entry.mode === undefined ? {} : { os: 3, attrs: (entry.mode << 16) >>> 0 };
    const file = entry.compress === false ? new ZipPassThrough(entry.name) : new ZipDeflate(entry.name, { level: 9 });
    Object.assign(file, options);
    zip.add(file);
    file.push(typeof entry.data === "string" ? new TextEncoder().encode(entry.data) : entry.data, true);
  }
  zip.end();
  return new Uint8Array(Buffer.concat(chunks));
}

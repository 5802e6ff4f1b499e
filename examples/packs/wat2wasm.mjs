// Rebuilds every example WebAssembly binary from its .wat source (`npm run build:wasm`): a `.wat` becomes a
// WASI preview 1 module with the wabt package; a `.component.wat` becomes a WASI preview 2 component with jco's
// own wasm-tools (parse, embed the pack's wit/world.wit, component new), since no Rust target is needed for that.
// The binaries are committed next to their sources so that a checkout runs as is.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { componentEmbed, componentNew, parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import wabtInit from "wabt";

const root = fileURLToPath(new URL(".", import.meta.url));
const wabt = await wabtInit();

function* watFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* watFiles(path);
    else if (entry.name.endsWith(".wat")) yield path;
  }
}

/** The WIT world a component source implements: the nearest wit/world.wit above it. */
function worldOf(wat) {
  for (let dir = dirname(wat); dir.startsWith(root); dir = dirname(dir)) {
    const wit = join(dir, "wit", "world.wit");
    if (existsSync(wit)) return readFileSync(wit, "utf8");
  }
  throw new Error(`${wat}: no wit/world.wit above it`);
}

async function build(wat) {
  const source = readFileSync(wat, "utf8");
  if (!wat.endsWith(".component.wat")) {
    const module = wabt.parseWat(wat, source);
    const { buffer } = module.toBinary({});
    module.destroy();
    return { out: wat.replace(/\.wat$/, ".wasm"), bytes: buffer };
  }
  const core = await parse(source);
  const embedded = await componentEmbed({ binary: core, witSource: worldOf(wat), world: "component" });
  return { out: wat.replace(/\.component\.wat$/, ".wasm"), bytes: await componentNew(embedded, []) };
}

for (const wat of watFiles(root)) {
  const { out, bytes } = await build(wat);
  writeFileSync(out, bytes);
  console.log(`${wat} → ${out} (${bytes.length} bytes)`);
}

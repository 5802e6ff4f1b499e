// Rebuilds every example WebAssembly component from its .wat source (`npm run build:wasm`), with the
// wabt package. The .wasm files are committed next to their sources so that a checkout runs as is.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

for (const wat of watFiles(root)) {
  const module = wabt.parseWat(wat, readFileSync(wat, "utf8"));
  const { buffer } = module.toBinary({});
  module.destroy();
  writeFileSync(wat.replace(/\.wat$/, ".wasm"), buffer);
  console.log(`${wat} → ${buffer.length} bytes`);
}

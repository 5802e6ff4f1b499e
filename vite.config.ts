// Builds the web UI (src/ui) into dist/ui, which `duro serve` serves at / and duro/http's handler under its prefix:
// everything bundled, nothing from a CDN, asset URLs relative so that the same build works under any prefix.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL("./src/ui", import.meta.url)),
  base: "./",
  logLevel: "warn",
  build: { outDir: fileURLToPath(new URL("./dist/ui", import.meta.url)), emptyOutDir: true, target: "es2022" },
});

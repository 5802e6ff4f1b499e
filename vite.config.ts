// Builds the web UI (src/ui) into dist/ui, which `duro serve` serves at /: everything bundled, nothing from a CDN.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL("./src/ui", import.meta.url)),
  base: "/",
  logLevel: "warn",
  build: { outDir: fileURLToPath(new URL("./dist/ui", import.meta.url)), emptyOutDir: true, target: "es2022" },
});

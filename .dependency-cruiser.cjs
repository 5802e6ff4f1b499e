// The layer table of ARCHITECTURE.md ("Layers and who may import whom") and "no runtime import cycles", checked by
// `npm run lint` (dependency-cruiser). A rule names the folders a layer may import; everything else is an error.

/** The files a layer may not import: all but its own folder and the given paths (regular expressions). */
const outside = (layer, allowed) => ({ path: "^src/", pathNot: [`^src/${layer}/`, ...allowed] });

/** The rule "src/<name>/ imports only its own files and `allowed`". */
const layer = (name, allowed, comment = `${name}/ imports only what ARCHITECTURE.md's table lets it.`) => ({
  name: `${name}-imports`,
  comment,
  severity: "error",
  from: { path: `^src/${name}/` },
  to: outside(name, allowed),
});

// A layer's public face: its index.ts. The package's own entries (package.json "exports") are faces too, and
// store/open.ts, which opens a backend by URL for the root entry without making duro/store load a backend.
// core/portable.ts is core's face for code that runs outside Node (duro/client): the errors, no Node built-in.
// agent/kit.ts is agent's face for model clients built on it (duro/ai): the metered step, ledgers, prices.
const FACES = [
  "^src/[^/]+/index\\.ts$",
  "^src/store/(sqlite|postgres)/index\\.ts$",
  "^src/testing/store-conformance/index\\.ts$",
  "^src/core/portable\\.ts$",
  "^src/agent/kit\\.ts$",
];
const ROOT_FACES = [...FACES, "^src/store/open\\.ts$"];
const PUBLIC_API = ["^src/index\\.ts$", "^src/(pack|testing|load|devloop)/index\\.ts$"];

module.exports = {
  forbidden: [
    {
      name: "no-runtime-cycle",
      comment: "A module must not import itself through others at run time (type-only imports are erased by tsc).",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "no-internals",
      comment: "Another layer is imported through its index.ts (its public face), never its internal files.",
      severity: "error",
      from: { path: "^src/([^/]+)/" },
      to: { path: "^src/[^/]+/", pathNot: ["^src/$1/", ...FACES] },
    },
    {
      name: "no-internals-from-root",
      comment: "src/index.ts re-exports the layers' faces, not their internal files.",
      severity: "error",
      from: { path: "^src/[^/]+\\.ts$" },
      to: { path: "^src/[^/]+/", pathNot: ROOT_FACES },
    },
    layer("core", [], "core/ is pure: it imports nothing outside core/."),
    layer("store", ["^src/core/"]),
    layer("engine", ["^src/core/", "^src/store/index\\.ts$"], "engine/ takes the Store contract, never a backend."),
    layer("agent", ["^src/core/"], "agent/ extends the core's context; it knows no engine."),
    layer("flow", ["^src/core/", "^src/agent/"]),
    layer("pack", ["^src/core/", "^src/flow/"]),
    layer("observe", ["^src/core/", "^src/store/index\\.ts$"]),
    layer("ai", ["^src/core/index\\.ts$", "^src/agent/(index|kit)\\.ts$"], "ai/ (duro/ai) builds on the agent layer's faces."),
    {
      name: "testing-imports-layers",
      comment: "testing/ may use every layer, but not the libraries built on it (load/, devloop/) nor the faces.",
      severity: "error",
      from: { path: "^src/testing/" },
      to: { path: "^src/(load|devloop|server|cli)/" },
    },
    {
      name: "libraries-import-no-face",
      comment: "load/ (files to workflow definitions) and devloop/ are libraries the faces and user code share.",
      severity: "error",
      from: { path: "^src/(load|devloop)/" },
      to: { path: "^src/(server|cli)/" },
    },
    layer("server", [...PUBLIC_API, ...FACES], "The server is a face: it answers through the public API and the layers' faces."),
    layer("cli", [...PUBLIC_API, ...FACES], "The CLI is a face: it parses arguments and prints, through faces."),
    layer("mcp", [...PUBLIC_API, ...FACES], "mcp/ (duro/mcp) is a face for MCP hosts: it answers through the public API and the faces."),
    layer(
      "http",
      [...PUBLIC_API, ...FACES],
      "http/ (duro/http) is the server's face inside an app: it reuses the server's routes through its index.ts.",
    ),
    {
      name: "nothing-imports-http",
      comment: "duro/http is an entry for apps; the server and the CLI do not depend on it.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/http/" },
      to: { path: "^src/http/" },
    },
    {
      name: "client-runs-anywhere",
      comment:
        "client/ (duro/client) runs in browsers, Deno and Bun: at run time it imports only core/portable.ts; the engine's and store's types it may import as types.",
      severity: "error",
      from: { path: "^src/client/" },
      to: { path: "^src/", pathNot: ["^src/client/", "^src/core/portable\\.ts$"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "client-types-from-faces",
      severity: "error",
      from: { path: "^src/client/" },
      to: { path: "^src/", pathNot: ["^src/client/", "^src/core/portable\\.ts$", "^src/(engine|store)/index\\.ts$"] },
    },
    {
      name: "nothing-imports-the-cli",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
  ],
  options: {
    includeOnly: "^src/",
    exclude: { path: "^src/ui/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};

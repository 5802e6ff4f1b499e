// The code of the worker thread a WASI preview 2 component runs in, kept as source text like wasm-worker.ts.
// It imports the JavaScript jco generated from the component's bytes on the host, links exactly the interfaces
// the host allowed (from @bytecodealliance/preview2-shim, configured with only the granted environment variables
// and directories), calls the component's `run` export with the input JSON text and posts what it returned.
export const WASM_COMPONENT_WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
process.removeAllListeners("warning");
const { js, cores, shim, name, env, preopens, linked, input } = workerData;

// Each interface is built only if the component imports it, so a component that imports nothing starts no shim.
const providers = {
  io: async () => {
    const io = await import(shim.io);
    return { "wasi:io/error": io.error, "wasi:io/poll": io.poll, "wasi:io/streams": io.streams };
  },
  cli: async () => {
    const cli = await import(shim.cli);
    cli._setEnv(env);
    cli._setArgs([name]);
    cli._setCwd("/");
    return {
      "wasi:cli/environment": cli.environment,
      "wasi:cli/exit": cli.exit,
      "wasi:cli/stdin": cli.stdin,
      "wasi:cli/stdout": cli.stdout,
      "wasi:cli/stderr": cli.stderr,
      "wasi:cli/terminal-input": cli.terminalInput,
      "wasi:cli/terminal-output": cli.terminalOutput,
      "wasi:cli/terminal-stdin": cli.terminalStdin,
      "wasi:cli/terminal-stdout": cli.terminalStdout,
      "wasi:cli/terminal-stderr": cli.terminalStderr,
    };
  },
  clocks: async () => {
    const clocks = await import(shim.clocks);
    return { "wasi:clocks/wall-clock": clocks.wallClock, "wasi:clocks/monotonic-clock": clocks.monotonicClock };
  },
  random: async () => {
    const random = await import(shim.random);
    return { "wasi:random/random": random.random, "wasi:random/insecure": random.insecure, "wasi:random/insecure-seed": random.insecureSeed };
  },
  filesystem: async () => {
    const filesystem = await import(shim.filesystem);
    const scoped = filesystem.createFilesystem({ preopens });
    return { "wasi:filesystem/types": scoped.types, "wasi:filesystem/preopens": scoped.preopens };
  },
};

async function main() {
  const imports = {};
  for (const group of new Set(linked.map((interfaceName) => interfaceName.slice(5, interfaceName.indexOf("/"))))) {
    Object.assign(imports, await providers[group]());
  }
  const modules = {};
  for (const [file, bytes] of Object.entries(cores)) modules[file] = new WebAssembly.Module(bytes);
  let instance;
  try {
    const generated = await import("data:text/javascript;base64," + Buffer.from(js).toString("base64"));
    instance = generated.instantiate((file) => modules[file], imports);
  } catch (error) {
    return { kind: "invalid", message: String(error && error.message) };
  }
  if (typeof instance.run !== "function") return { kind: "invalid", message: "it has no run export" };
  try {
    return { kind: "ok", value: instance.run(input) };
  } catch (error) {
    // jco throws a result's err case as a ComponentError carrying it; anything else is a trap.
    if (error && typeof error === "object" && "payload" in error) return { kind: "err", message: String(error.payload) };
    return { kind: "trap", message: String(error && error.message) };
  }
}

main().then(
  (result) => parentPort.postMessage(result),
  (error) => parentPort.postMessage({ kind: "trap", message: String(error && error.message) }),
);
`;

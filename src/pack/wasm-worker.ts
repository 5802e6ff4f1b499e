// The code of the worker thread a WebAssembly component runs in, kept as source text so that it runs
// the same from src/ (tests) and dist/ (the CLI). The worker instantiates the module under node:wasi
// with stdin/stdout/stderr on the files the host prepared, swaps every WASI call the component was not
// granted for one that records the attempt and returns ENOTCAPABLE, and reports the exit code.
export const WASM_WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
// node:wasi is marked experimental on Node 20; its warning would land on the CLI's stderr each run.
process.removeAllListeners("warning");
const { WASI } = require("node:wasi");
const ENOTCAPABLE = 76;
const { bytes, name, stdinPath, stdoutPath, stderrPath, env, preopens, denied, maxOutputBytes } = workerData;
const stdin = fs.openSync(stdinPath, "r");
const stdout = fs.openSync(stdoutPath, "w");
const stderr = fs.openSync(stderrPath, "w");
const denials = [];
let result;
try {
  const wasi = new WASI({ version: "preview1", args: [name], env, preopens, stdin, stdout, stderr, returnOnExit: true });
  const imports = wasi.getImportObject();
  const calls = imports.wasi_snapshot_preview1;
  for (const [call, capability] of Object.entries(denied)) {
    calls[call] = () => {
      denials.push({ call, capability });
      return ENOTCAPABLE;
    };
  }
  let instance;
  // Counts what is about to reach stdout and stderr, and traps the module before a write that would pass
  // the limit happens, so a component cannot put more than the limit on disk, even in one call.
  const write = calls.fd_write;
  let written = 0;
  calls.fd_write = (fd, iovs, iovsLength, writtenPtr) => {
    if (fd !== 1 && fd !== 2) return write(fd, iovs, iovsLength, writtenPtr);
    const view = new DataView(instance.exports.memory.buffer);
    let requested = 0;
    for (let i = 0; i < iovsLength; i++) requested += view.getUint32(iovs + i * 8 + 4, true);
    if (written + requested > maxOutputBytes) {
      result = { kind: "output_too_large", written };
      // Trapping is how a host call stops the module; the host reads \`result\`, not this error.
      throw new WebAssembly.RuntimeError("output limit reached");
    }
    const errno = write(fd, iovs, iovsLength, writtenPtr);
    if (errno === 0) written += new DataView(instance.exports.memory.buffer).getUint32(writtenPtr, true);
    return errno;
  };
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
  } catch (error) {
    result = { kind: "invalid", message: String(error && error.message) };
  }
  if (instance) {
    try {
      result = { kind: "exit", exitCode: wasi.start(instance) };
    } catch (error) {
      const memory = instance.exports.memory;
      result = result ?? {
        kind: "trap",
        message: String(error && error.message),
        ...(memory instanceof WebAssembly.Memory ? { memoryBytes: memory.buffer.byteLength } : {}),
      };
    }
  }
} finally {
  fs.closeSync(stdin);
  fs.closeSync(stdout);
  fs.closeSync(stderr);
}
parentPort.postMessage({ ...result, denials });
`;

#!/usr/bin/env node
// The `duro` command; the code lives in dist/cli (built by `npm run build`, which `npm install` runs).
import { main } from "../dist/cli/main.js";

// A reader that went away (`duro runs list | head`) must not crash a command that may be executing a run.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
  });
}

const code = await main(process.argv.slice(2));
// A pipe to a slow reader (`duro runs events <id> --json | jq`) still holds output in the process: exiting before it
// drained would cut it at a multiple of 64 KiB. The callback of a write runs once the writes queued before it are out.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write("", resolve))));
// Exit explicitly: a run that suspended may leave user timers behind that must not keep the CLI alive.
process.exit(code);

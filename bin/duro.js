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
// Exit explicitly: a run that suspended may leave user timers behind that must not keep the CLI alive.
process.exit(code);

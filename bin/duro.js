#!/usr/bin/env node
// The `duro` command; the code lives in dist/cli (built by `npm run build`, which `npm install` runs).
import { main } from "../dist/cli/main.js";

const code = await main(process.argv.slice(2));
// Exit explicitly: a run that suspended may leave user timers behind that must not keep the CLI alive.
process.exit(code);

// Resumes a run in a brand-new process (cold module cache and JIT), as a restarted worker would:
// `node bench/resume-child.js <db path> <run id>` prints {"ms", "settledMs"} as JSON on its last line.
import { resumeOnce } from "./sqlite.js";

const [path, id] = process.argv.slice(2);
if (!path || !id) {
  process.stderr.write("usage: node bench/resume-child.js <db path> <run id>\n");
  process.exit(2);
}
console.log(JSON.stringify(await resumeOnce(path, id)));

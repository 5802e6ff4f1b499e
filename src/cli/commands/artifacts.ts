// `duro artifacts list|get`: the artifacts runs stored (ctx.artifact, phase artifacts, large results), found by run,
// tag or name, and read back byte for byte.
import { writeFileSync } from "node:fs";
import { DuroError } from "../../index.js";
import type { ArtifactInfo } from "../../store/index.js";
import type { CliCommand } from "../command.js";
import { EXIT, openDb, output, parse, positiveInt, requirePositional, usage } from "../common.js";
import { table } from "../output.js";

export const artifactsCommand: CliCommand = {
  name: "artifacts",
  async run(args) {
    const { values, positionals } = parse(args, {
      run: { type: "string" },
      tag: { type: "string" },
      name: { type: "string" },
      limit: { type: "string" },
      out: { type: "string", short: "o" },
    });
    const [what] = positionals;
    if (what !== "list" && what !== "get") {
      throw usage(what === undefined ? "missing what to do: duro artifacts list|get" : `unknown "artifacts ${what}"; use list or get`);
    }
    const out = output(values.json);
    const store = openDb(values.db);
    try {
      if (what === "get") {
        const sha256 = requirePositional(positionals, 1, "the artifact's sha256: duro artifacts get <sha256>");
        const bytes = await store.getArtifact(sha256);
        if (bytes === undefined) {
          throw new DuroError("artifact_not_found", `no artifact has sha256 ${sha256}; list them with duro artifacts list`, {
            details: { sha256 },
          });
        }
        if (values.out === undefined) process.stdout.write(bytes);
        else {
          writeFileSync(values.out, bytes);
          out.data({ sha256, size: bytes.byteLength, out: values.out });
          out.print(`wrote ${bytes.byteLength} bytes to ${values.out}`);
        }
        return EXIT.ok;
      }
      const artifacts = await store.listArtifacts({
        ...(values.run === undefined ? {} : { runId: values.run }),
        ...(values.tag === undefined ? {} : { tag: values.tag }),
        ...(values.name === undefined ? {} : { name: values.name }),
        limit: positiveInt(values.limit, "--limit", 100),
      });
      out.data({ artifacts });
      out.print(formatArtifacts(artifacts));
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};

function formatArtifacts(artifacts: ArtifactInfo[]): string {
  if (artifacts.length === 0) return "no artifacts match; runs store them with ctx.artifact(name, content, { name, tags })";
  const rows = artifacts.map((a) => [
    a.sha256,
    a.name ?? "",
    a.tags.join(","),
    String(a.size),
    a.runs.join(","),
    a.createdAt === undefined ? "" : new Date(a.createdAt).toISOString(),
  ]);
  return table(["SHA256", "NAME", "TAGS", "SIZE", "RUNS", "CREATED"], rows);
}

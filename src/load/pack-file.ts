// Packs as workflow files: opens and verifies the pack, checks its flows (and the secrets they read) together, and
// turns them into workflow definitions that share one component registry and network policy.
import { posix, resolve } from "node:path";
import { analyzeFlow, flowInvalid, flowWorkflow, type JsonSchema, parseSchemaText } from "../flow/index.js";
import { DuroError, type FlowDocument, type FlowProblem, type WorkflowDefinition } from "../index.js";
import { openPack } from "../pack/index.js";
import { reportWarnings } from "./flow-file.js";
import { type LoadedModule, type LoadOptions, warnOnStderr } from "./loaded.js";
import { packManifest } from "./manifest.js";

/** The flows of the pack at `path` (a .duropack file, or a directory with a pack.yaml) as workflows. */
export async function loadPackFile(path: string, options: LoadOptions = {}): Promise<LoadedModule> {
  const onWarning = options.onWarning ?? warnOnStderr;
  const pack = await openPack(path, { signing: options.signing ?? "strict", trustedKeys: options.trustedKeys ?? [] });
  const problems: FlowProblem[] = [];
  const docs = new Map<string, FlowDocument>();
  const ids = new Set(pack.flows.flatMap((f) => (f.id === undefined ? [] : [f.id])));
  const schemas = new Map(pack.schemas.map((s) => [s.path, s.text]));
  for (const flow of pack.flows) {
    const { document, problems: found } = analyzeFlow(flow.text, {
      path: `${path}:${flow.path}`,
      // $ref paths are relative to the flow file, like the files of the pack they name.
      schemaFiles: (relative) => packSchema(schemas, posix.join(posix.dirname(flow.path), relative)),
      components: pack.components,
      // Only whether a subflow exists matters to the check; the documents are joined below.
      flows: (id) => (ids.has(id) ? ({} as FlowDocument) : undefined),
    });
    problems.push(...found, ...undeclaredSecrets(flow.text, pack.manifest.secrets, `${path}:${flow.path}`));
    if (document && !found.some((p) => p.severity === "error")) docs.set((document as FlowDocument).id, document as FlowDocument);
  }
  if (problems.some((p) => p.severity === "error")) throw flowInvalid(problems, path);
  if (docs.size === 0) {
    throw new DuroError(
      "no_workflows",
      `pack ${path} holds no flow; list its flow files under flows: in pack.yaml, then build and sign it again`,
      { category: "input", details: { pack: pack.manifest.id } },
    );
  }
  reportWarnings(problems, onWarning);
  // One object for all the pack's flows: a subflow shared by two of them is one workflow definition.
  const http = { policy: pack.network };
  const verification = pack.verification;
  const workflows = [...docs.values()].map(
    (doc): WorkflowDefinition =>
      flowWorkflow(doc, {
        components: pack.components,
        resolveFlow: (id) => docs.get(id),
        secrets: pack.manifest.secrets,
        http,
        pack: verification,
      }),
  );
  const entry = workflows.find((w) => w.name === pack.entryFlows[0]);
  for (const warning of pack.warnings) onWarning(warning);
  const file = resolve(path);
  return {
    file,
    workflows,
    queues: [],
    schedules: [],
    ...(entry ? { defaultWorkflow: entry } : {}),
    manifest: packManifest(file, { id: pack.manifest.id, version: pack.manifest.version, digest: pack.digest }),
    pack: {
      id: pack.manifest.id,
      version: pack.manifest.version,
      digest: pack.digest,
      signature: pack.signature.status,
      ...(pack.signature.keyId ? { keyId: pack.signature.keyId } : {}),
      ...(pack.warnings.length ? { warnings: pack.warnings } : {}),
    },
  };
}

/**
 * `$secret("NAME")` calls with a literal name the manifest does not declare, found before anything runs. A name
 * computed at run time is checked when it is read (secret_not_declared from the flow's runtime).
 */
function undeclaredSecrets(text: string, declared: readonly string[], file: string): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const match of text.matchAll(/\$secret\(\s*["']([^"']+)["']\s*\)/g)) {
    const name = match[1] as string;
    if (declared.includes(name)) continue;
    const before = text.slice(0, match.index);
    const line = before.split("\n").length;
    problems.push({
      code: "secret_not_declared",
      severity: "error",
      path: "(expression)",
      message: `$secret("${name}") reads a secret the pack does not declare; add "${name}" to secrets in pack.yaml and sign the pack again`,
      line,
      column: match.index - before.lastIndexOf("\n"),
      file,
    });
  }
  return problems;
}

/** One of the pack's schema files, parsed; undefined when the pack does not list it. */
function packSchema(schemas: Map<string, string>, path: string): JsonSchema | undefined {
  const file = posix.normalize(path);
  const text = schemas.get(file);
  return text === undefined ? undefined : parseSchemaText(text, `${file} of the pack`);
}

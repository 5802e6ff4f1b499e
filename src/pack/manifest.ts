// pack.yaml: what a pack is, what it needs and a sha256 digest of every other file in it. Parsing
// checks everything at once and reports each problem with its path in the manifest.
import semver from "semver";
import { parseDocument } from "yaml";
import { type Duration, toMs } from "../core/index.js";
import { yamlValue } from "../flow/index.js";
import { type Capability, capabilityProblem } from "./capabilities.js";
import { packError } from "./errors.js";

export const MANIFEST_FILE = "pack.yaml";
export const SIGNATURE_FILE = "pack.sig";

export type ComponentKind = "js" | "wasm";

export interface ComponentSpec {
  kind: ComponentKind;
  /** Pack-relative path of the module. */
  path: string;
  /** What a wasm component may reach (see capabilities.ts); ignored for trusted js components. default [] */
  capabilities: Capability[];
  /** A wasm component is stopped after this long. default 10s */
  timeout?: Duration;
  /** The js module's export that is the component. default: `default` */
  export?: string;
}

export interface PackManifest {
  /** Lowercase letters, digits, `.`, `_`, `-`: `acme.support-triage`. */
  id: string;
  /** Semantic version. */
  version: string;
  description?: string;
  /** Ids of the flows meant to be started (`duro run <pack> --flow <id>`). */
  entryFlows: string[];
  /** Pack-relative paths of flow documents. */
  flows: string[];
  /** Pack-relative paths of JSON Schemas the flows use. */
  schemas: string[];
  components: Record<string, ComponentSpec>;
  /** Names of secrets the pack needs at run time. */
  secrets: string[];
  /** Every capability any component is granted, and the hosts (`net:`) its flows' http nodes may reach: what an operator agrees to by running the pack. */
  capabilities: Capability[];
  /** Pack-relative path → `sha256:<hex>` for every file except pack.yaml and pack.sig. */
  files: Record<string, string>;
}

export interface ManifestProblem {
  path: string;
  message: string;
}

const ID = /^[a-z0-9][a-z0-9._-]*$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SECRET = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYS = new Set(["id", "version", "description", "entryFlows", "flows", "schemas", "components", "secrets", "capabilities", "files"]);
const COMPONENT_KEYS = new Set(["kind", "path", "capabilities", "timeout", "export"]);

/** Parses and validates pack.yaml; throws `pack_invalid` listing every problem. */
export function parseManifest(text: string): PackManifest {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw manifestInvalid(
      doc.errors.map((e) => ({
        path: `line ${e.linePos?.[0].line ?? "?"}, column ${e.linePos?.[0].col ?? "?"}`,
        message: e.message.split("\n")[0] ?? e.message,
      })),
    );
  }
  const expanded = yamlValue(doc);
  if ("refused" in expanded) throw manifestInvalid([{ path: "(root)", message: expanded.refused }]);
  const raw = expanded.value;
  const problems: ManifestProblem[] = [];
  if (!isRecord(raw)) throw manifestInvalid([{ path: "(root)", message: "pack.yaml must be a mapping with id, version, flows, …" }]);
  const check = new Checker(problems);
  for (const key of Object.keys(raw)) if (!KEYS.has(key)) problems.push({ path: key, message: `unknown key "${key}"` });
  const manifest: PackManifest = {
    id: check.string(raw.id, "id", (v) => (ID.test(v) ? undefined : "must be lowercase letters, digits, '.', '_' or '-'")),
    version: check.string(raw.version, "version", (v) =>
      semver.valid(v) === v ? undefined : `"${v}" is not a semantic version like 1.2.0`,
    ),
    entryFlows: check.strings(raw.entryFlows, "entryFlows"),
    flows: check.strings(raw.flows, "flows"),
    schemas: check.strings(raw.schemas, "schemas"),
    components: {},
    secrets: check.strings(raw.secrets, "secrets", (v) => (SECRET.test(v) ? undefined : "must be a name like SLACK_TOKEN")),
    capabilities: check.strings(raw.capabilities, "capabilities", capabilityProblem),
    files: check.files(raw.files),
  };
  if (typeof raw.description === "string") manifest.description = raw.description;
  if (raw.components !== undefined && !isRecord(raw.components))
    problems.push({ path: "components", message: "must be a mapping of name → component" });
  for (const [name, spec] of Object.entries(isRecord(raw.components) ? raw.components : {})) {
    const component = check.component(spec, `components.${name}`, manifest.capabilities);
    if (component) manifest.components[name] = component;
  }
  if (problems.length > 0) throw manifestInvalid(problems);
  return manifest;
}

/** The `pack_invalid` error listing every problem with its path in pack.yaml. */
export function manifestInvalid(problems: ManifestProblem[]) {
  const list = problems.map((p) => `  ${p.path}: ${p.message}`).join("\n");
  return packError("pack_invalid", `pack.yaml has ${problems.length} problem(s):\n${list}`, { problems });
}

type Rule = (value: string) => string | undefined;

// Collects problems instead of throwing, so that one parse reports all of them.
class Checker {
  constructor(private readonly problems: ManifestProblem[]) {}

  string(value: unknown, path: string, rule?: Rule): string {
    if (typeof value !== "string" || value === "") {
      this.problems.push({ path, message: value === undefined ? "is required" : "must be a non-empty string" });
      return "";
    }
    const problem = rule?.(value);
    if (problem) this.problems.push({ path, message: problem });
    return value;
  }

  strings(value: unknown, path: string, rule?: Rule): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.problems.push({ path, message: "must be a list" });
      return [];
    }
    value.forEach((item, i) => {
      const problem = typeof item === "string" ? rule?.(item) : "must be a string";
      if (problem) this.problems.push({ path: `${path}[${i}]`, message: problem });
    });
    return value.filter((item): item is string => typeof item === "string");
  }

  files(value: unknown): Record<string, string> {
    if (value === undefined || value === null) return {};
    if (!isRecord(value)) {
      this.problems.push({ path: "files", message: "must be a mapping of path → sha256:<hex> (run `duro pack build`)" });
      return {};
    }
    const files: Record<string, string> = {};
    for (const [name, digest] of Object.entries(value)) {
      if (typeof digest === "string" && DIGEST.test(digest)) files[name] = digest;
      else this.problems.push({ path: `files.${name}`, message: "must be sha256:<64 hex digits> (run `duro pack build`)" });
    }
    return files;
  }

  component(value: unknown, path: string, packCapabilities: string[]): ComponentSpec | undefined {
    if (!isRecord(value)) {
      this.problems.push({ path, message: "must be a mapping with kind and path" });
      return undefined;
    }
    for (const key of Object.keys(value))
      if (!COMPONENT_KEYS.has(key)) this.problems.push({ path: `${path}.${key}`, message: `unknown key "${key}"` });
    const kind = value.kind;
    if (kind !== "js" && kind !== "wasm") this.problems.push({ path: `${path}.kind`, message: 'must be "js" or "wasm"' });
    const spec: ComponentSpec = {
      kind: kind === "wasm" ? "wasm" : "js",
      path: this.string(value.path, `${path}.path`),
      capabilities: this.strings(
        value.capabilities,
        `${path}.capabilities`,
        (c) =>
          capabilityProblem(c) ??
          (c.startsWith("net:")
            ? `"${c}" is for the pack's http nodes; a component cannot open network connections (list it under the pack's capabilities only)`
            : undefined) ??
          (packCapabilities.includes(c) ? undefined : `"${c}" is not in the pack's capabilities list`),
      ),
    };
    if (value.timeout !== undefined) {
      try {
        toMs(value.timeout as Duration);
        spec.timeout = value.timeout as Duration;
      } catch (error) {
        this.problems.push({ path: `${path}.timeout`, message: (error as Error).message });
      }
    }
    if (value.export !== undefined) spec.export = this.string(value.export, `${path}.export`);
    return spec;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

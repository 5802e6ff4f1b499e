// Flow documents from text: YAML (JSON is YAML too, so both go through one parser and both get line and
// column for every problem), then every check of check.ts.
import { type CheckOptions, checkFlow } from "./check.js";
import { type FlowDocument, type FlowProblem, flowInvalid, isRecord } from "./document.js";
import { yaml as yamlLibrary } from "./libraries.js";
import { resolveSchemaRefs, type SchemaFiles } from "./schema-refs.js";
import { problemAt, rememberSource } from "./source.js";
import { yamlValue } from "./yaml-value.js";

export interface ParseOptions {
  /** The file the text came from, for messages. */
  path?: string;
  /** Finds the schema files `$ref: "schemas/x.json"` names (a pack's schemas, or files beside a flow file). */
  schemaFiles?: SchemaFiles;
}

export interface Analysis {
  /** The parsed document (possibly invalid); undefined when the text is not even YAML. */
  document: unknown;
  /** Every problem, errors and warnings. */
  problems: FlowProblem[];
}

/** Parses and checks `text`; never throws for a bad document, it reports it. */
export function analyzeFlow(text: string, options: ParseOptions & CheckOptions = {}): Analysis {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lines = new LineCounter();
  const yaml = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (yaml.errors.length > 0) {
    const problems = yaml.errors.map((error): FlowProblem => {
      const position = lines.linePos(error.pos[0]);
      return {
        code: "syntax_error",
        severity: "error",
        path: "",
        message: `not valid YAML/JSON: ${error.message.split("\n")[0]}`,
        line: position.line,
        column: position.col,
        ...(options.path === undefined ? {} : { file: options.path }),
      };
    });
    return { document: undefined, problems };
  }
  const expanded = yamlValue(yaml);
  if ("refused" in expanded) {
    const problem: FlowProblem = { code: "yaml_alias_limit", severity: "error", path: "", message: expanded.refused, line: 1, column: 1 };
    return { document: undefined, problems: [options.path === undefined ? problem : { ...problem, file: options.path }] };
  }
  const document = expanded.value;
  const problems: FlowProblem[] = [];
  if (isRecord(document)) {
    rememberSource(document, { yaml, lines, ...(options.path === undefined ? {} : { file: options.path }) });
    resolveSchemaRefs(document, options.schemaFiles ?? (() => undefined), (path, code, message) =>
      problems.push(problemAt(document, path, code, message)),
    );
  }
  problems.push(...checkFlow(document, options));
  return { document, problems };
}

/** Parses a YAML or JSON flow document; throws `flow_invalid` listing every problem (with line and column). */
export function parseFlow(text: string, options: ParseOptions = {}): FlowDocument {
  const { document, problems } = analyzeFlow(text, options);
  if (problems.some((p) => p.severity === "error")) throw flowInvalid(problems, options.path ?? "the flow document");
  return document as FlowDocument;
}

/** The `id`, `nodes` and `components` of a document, read without any check; undefined when the text is not YAML. */
export function peekFlow(text: string): { id?: unknown; nodes?: unknown; components?: unknown } | undefined {
  try {
    const value = yamlLibrary().parse(text) as unknown;
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

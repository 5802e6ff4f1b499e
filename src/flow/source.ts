// Where each part of a parsed document came from: the YAML syntax tree and its line counter, kept beside the
// plain document (in a WeakMap, so the document stays plain JSON) to give every problem a line and column.
import type { LineCounter, Document as YamlDocument } from "yaml";
import { type FlowProblem, formatPath, type PathSegment } from "./document.js";
import { yaml } from "./libraries.js";

interface Source {
  yaml: YamlDocument.Parsed;
  lines: LineCounter;
  file?: string;
}

const sources = new WeakMap<object, Source>();

export function rememberSource(document: object, source: Source): void {
  sources.set(document, source);
}

/** A problem at `path` of `document`, with the line and column of that place when the document was parsed from text. */
export function problemAt(
  document: unknown,
  path: readonly PathSegment[],
  code: string,
  message: string,
  severity: FlowProblem["severity"] = "error",
): FlowProblem {
  const problem: FlowProblem = { code, severity, path: formatPath(path), message };
  const source = typeof document === "object" && document !== null ? sources.get(document) : undefined;
  if (!source) return problem;
  const offset = offsetOf(source.yaml.contents, path);
  if (offset !== undefined) {
    const { line, col } = source.lines.linePos(offset);
    problem.line = line;
    problem.column = col;
  }
  if (source.file !== undefined) problem.file = source.file;
  return problem;
}

/** The source offset of the deepest part of `path` that exists: a map entry's key, a list item. */
function offsetOf(root: unknown, path: readonly PathSegment[]): number | undefined {
  const { isMap, isPair, isScalar, isSeq } = yaml();
  let node = root;
  let offset = rangeStart(root);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

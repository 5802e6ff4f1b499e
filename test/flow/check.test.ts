// Loading checks: every problem at once, each with its document path and (from text) line and column;
// and the published JSON Schema is the one the registry builds.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { analyzeFlow, checkFlow, type FlowProblem, flowJsonSchema, flowWorkflow, parseFlow } from "../../src/index.js";
import { REPO_ROOT } from "../support/cli.js";

const FIVE = join(REPO_ROOT, "test", "flow", "fixtures", "five-mistakes.yaml");
const brief = (p: FlowProblem) => ({ code: p.code, path: p.path, line: p.line, column: p.column });

describe("loading a document with five different mistakes", () => {
  const EXPECTED = [
    { code: "missing_component", path: "nodes.lookup.call", line: 5, column: 5 },
    { code: "unknown_node_kind", path: "nodes.classify", line: 7, column: 3 },
    { code: "bad_expression", path: "nodes.route.switch[1].when", line: 14, column: 9 },
    { code: "dangling_next", path: "nodes.route.switch[1].next", line: 15, column: 9 },
    { code: "loop_without_limit", path: "nodes.route", line: 10, column: 3 },
  ];

  it("reports all five, each with its path, line and column", () => {
    const { problems } = analyzeFlow(readFileSync(FIVE, "utf8"), {
      path: "five-mistakes.yaml",
      components: { "crm.classify": async () => null },
    });
    expect(problems.filter((p) => p.severity === "error").map(brief)).toEqual(expect.arrayContaining(EXPECTED));
    expect(problems.filter((p) => p.severity === "error")).toHaveLength(5);
    expect(problems.every((p) => p.file === "five-mistakes.yaml")).toBe(true);
  });

  it("parseFlow throws one flow_invalid error listing the four it can see without components", () => {
    let thrown: unknown;
    try {
      parseFlow(readFileSync(FIVE, "utf8"), { path: "five-mistakes.yaml" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "flow_invalid", category: "definition" });
    const error = thrown as { message: string; details: { problems: FlowProblem[] } };
    expect(error.details.problems.map(brief)).toEqual(expect.arrayContaining(EXPECTED.slice(1)));
    expect(error.message).toContain('five-mistakes.yaml:15:9 nodes.route.switch[1].next: nodes.route.switch[1].next names "escalte"');
  });

  it("JSON documents get lines and columns too", () => {
    const json = JSON.stringify({ id: "j", nodes: { a: { set: { x: 1 }, next: "nowhere" } } }, null, 2);
    const { problems } = analyzeFlow(json);
    expect(problems.map(brief)).toEqual([{ code: "dangling_next", path: "nodes.a.next", line: 8, column: 7 }]);
  });
});

describe("checks", () => {
  it("a YAML syntax error is reported with its line", () => {
    const { problems } = analyzeFlow("id: x\nnodes:\n  a: { set: { x: 1 }\n");
    expect(problems[0]).toMatchObject({ code: "syntax_error", severity: "error", line: 4, column: 1 });
  });

  it("schema violations name the exact field, in nested graphs too", () => {
    const problems = checkFlow(
      parseFlowUnchecked(`
id: nested
nodes:
  each:
    map:
      items: input.list
      concurrency: many
      nodes:
        inner: { http: { url: x, verb: GET }, retries: 3 }
`),
    );
    expect(problems.map((p) => [p.code, p.path])).toEqual(
      expect.arrayContaining([
        ["schema_violation", "nodes.each.map.concurrency"],
        ["schema_violation", "nodes.each.map.nodes.inner.retries"],
        ["schema_violation", "nodes.each.map.nodes.inner.http.verb"],
      ]),
    );
  });

  it("a retry on a node that only waits is refused, naming the field; on a call it is fine", () => {
    const problems = checkFlow(
      parseFlowUnchecked(`
id: waits
nodes:
  hold: { wait: { duration: 1h }, retry: { maxAttempts: 3 }, next: gate }
  gate: { approval: { prompt: ok? }, retry: { maxAttempts: 2 }, next: work }
  work: { set: { x: 1 }, retry: { maxAttempts: 2 } }
`),
    );
    expect(problems.filter((p) => p.code === "retry_not_applicable").map((p) => [p.path, p.line])).toEqual([
      ["nodes.hold.retry", 4],
      ["nodes.gate.retry", 5],
    ]);
  });

  it("an unreachable node is a warning, not an error; a loop with maxIterations is fine", () => {
    const problems = checkFlow(
      parseFlowUnchecked(`
id: w
nodes:
  a: { set: { n: 1 }, next: b, maxIterations: 3 }
  b: { switch: [{ when: "vars.n < 3", next: a }] }
  orphan: { end: true }
`),
    );
    expect(problems).toEqual([expect.objectContaining({ code: "unreachable_node", severity: "warning", path: "nodes.orphan" })]);
  });

  it("a missing subflow, a bad input schema and a bad flow output expression are reported", () => {
    const problems = checkFlow(
      parseFlowUnchecked(`
id: s
input: { type: nonsense }
output: "(("
nodes:
  a: { subflow: { flow: ghost } }
`),
      { flows: {} },
    );
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ["bad_schema", "input"],
      ["bad_expression", "output"],
      ["missing_flow", "nodes.a.subflow.flow"],
    ]);
  });
});

function parseFlowUnchecked(text: string): unknown {
  return analyzeFlow(text).document;
}

describe("schemas/flow.schema.json", () => {
  const file = join(REPO_ROOT, "schemas", "flow.schema.json");
  if (process.env.DURO_WRITE_SCHEMA) writeFileSync(file, `${JSON.stringify(flowJsonSchema(), null, 2)}\n`);

  it("is the schema the node-kind registry builds (regenerate: DURO_WRITE_SCHEMA=1 npx vitest run test/flow/check.test.ts)", () => {
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(flowJsonSchema());
  });

  it("accepts the example flows and refuses a node of no kind", () => {
    const validate = new Ajv2020({ strict: false }).compile(flowJsonSchema());
    for (const name of ["support-triage.yaml", "document-pipeline.yaml", "onboarding.yaml", "welcome-sequence.yaml"]) {
      const doc = analyzeFlow(readFileSync(join(REPO_ROOT, "examples", "flows", name), "utf8")).document;
      expect(validate(doc), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate({ id: "x", nodes: { a: { frobnicate: {} } } })).toBe(false);
  });
});

describe("YAML aliases", () => {
  const bomb = (extra: string) => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (const name of ["b", "c", "d", "e", "f"]) {
      const previous = String.fromCharCode(name.charCodeAt(0) - 1);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(", ")}]`);
    }
    return `id: bomb\n${levels.join("\n")}\n${extra}`;
  };

  it("an alias bomb is one yaml_alias_limit problem (flow_invalid from parseFlow), never an exception from the YAML library", () => {
    const text = bomb("nodes:\n  s: { set: { x: 1 } }\n");
    expect(analyzeFlow(text, { path: "bomb.yaml" }).problems).toEqual([
      expect.objectContaining({ code: "yaml_alias_limit", severity: "error", file: "bomb.yaml", line: 1 }),
    ]);
    expect(() => parseFlow(text)).toThrow(expect.objectContaining({ code: "flow_invalid" }));
  });

  it("a few aliases (under the limit) still work", () => {
    const doc = parseFlow("id: ok\nnodes:\n  a: { set: &v { x: 1 }, next: b }\n  b: { set: *v }\n");
    expect(doc.nodes.b).toEqual({ set: { x: 1 } });
  });
});

describe("a flow's version", () => {
  it("is its declared version as written, as docs/flows.md says (no hash appended)", () => {
    const doc = parseFlow('id: versioned\nversion: "2.1"\nnodes:\n  a: { set: { x: 1 } }\n');
    expect(flowWorkflow(doc).version).toBe("2.1");
    const docs = readFileSync(join(REPO_ROOT, "docs", "flows.md"), "utf8");
    expect(docs).not.toContain("<version>+<hash");
  });
});

describe("a flow's run timeout", () => {
  it("becomes the workflow's timeout, and a malformed one is reported at its path before any run", () => {
    expect(flowWorkflow(parseFlow("id: timed\ntimeout: 10m\nnodes:\n  a: { set: { x: 1 } }\n")).options.timeout).toBe("10m");
    const { problems } = analyzeFlow("id: timed\ntimeout: ten minutes\nnodes:\n  a: { set: { x: 1 }, timeout: 5 parsecs }\n");
    expect(problems.map(brief)).toEqual([
      { code: "invalid_duration", path: "timeout", line: 2, column: 1 },
      { code: "invalid_duration", path: "nodes.a.timeout", line: 4, column: 23 },
    ]);
    expect(problems[0]?.message).toContain('"ten minutes" is not a duration');
  });
});

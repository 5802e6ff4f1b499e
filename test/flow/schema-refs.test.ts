// Schema files in flows: `$ref: schemas/x.json` wherever a schema goes, resolved when the document is loaded (beside
// a flow file, or among a pack's schemas), reported with line and column when it cannot be.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeFlow, type FlowDocument, type JsonSchema } from "../../src/index.js";
import { duro, duroJson, freshDir, removeTempDirs } from "../support/cli.js";

afterAll(removeTempDirs);

const LINE: JsonSchema = {
  type: "object",
  required: ["sku", "qty"],
  properties: { sku: { type: "string" }, qty: { type: "integer", minimum: 1 } },
};
const ORDER: JsonSchema = {
  type: "object",
  required: ["lines"],
  properties: { lines: { type: "array", items: { $ref: "#/$defs/line" } } },
  $defs: { line: { $ref: "line.json" } },
};
const FLOW = `id: order
input: { $ref: schemas/order.json }
nodes:
  first:
    validate:
      value: "=input.lines[0]"
      schema: { $ref: "schemas/order.json#/$defs/line", description: first line }
`;

describe("resolving schema references", () => {
  const files: Record<string, JsonSchema> = { "schemas/order.json": ORDER, "schemas/line.json": LINE };

  it("replaces a reference by the file's schema, follows references inside files relative to them, keeps other keywords", () => {
    const { document, problems } = analyzeFlow(FLOW, { schemaFiles: (path) => files[path] });
    expect(problems).toEqual([]);
    const doc = document as FlowDocument & { input: JsonSchema };
    expect(doc.input).toEqual({ ...ORDER, $defs: { line: LINE } });
    expect((doc.nodes.first as { validate: { schema: unknown } }).validate.schema).toEqual({ description: "first line", allOf: [LINE] });
  });

  it("a missing file, a missing pointer and a cycle are problems with their line and column", () => {
    const cyclic: Record<string, JsonSchema> = { "schemas/a.json": { $ref: "b.json" }, "schemas/b.json": { $ref: "a.json" } };
    const text =
      "id: x\ninput: { $ref: schemas/none.json }\nnodes:\n  v: { validate: { value: 1, schema: { $ref: 'schemas/a.json#/nowhere' } }, next: w }\n  w: { validate: { value: 1, schema: { $ref: schemas/a.json } } }\n";
    const { problems } = analyzeFlow(text, { schemaFiles: (path) => cyclic[path] });
    expect(problems.map((p) => [p.code, p.path, p.line])).toEqual([
      ["missing_schema", "input.$ref", 2],
      ["missing_schema", "nodes.v.validate.schema.$ref", 4],
      ["schema_ref_cycle", "nodes.w.validate.schema.$ref", 5],
    ]);
    expect(problems[0]?.message).toContain("there is no schema file schemas/none.json");
    expect(problems[2]?.message).toContain("schemas/a.json → schemas/b.json → schemas/a.json");
  });

  it("leaves #/ references and absolute URLs alone", () => {
    const text = "id: x\ninput: { $defs: { n: { type: number } }, $ref: '#/$defs/n' }\nnodes:\n  a: { set: { x: 1 } }\n";
    const { document, problems } = analyzeFlow(text, { schemaFiles: () => undefined });
    expect(problems).toEqual([]);
    expect((document as { input: unknown }).input).toEqual({ $defs: { n: { type: "number" } }, $ref: "#/$defs/n" });
  });
});

describe("schema files through the CLI", () => {
  function writeFiles(dir: string) {
    mkdirSync(join(dir, "schemas"), { recursive: true });
    writeFileSync(join(dir, "schemas", "order.json"), JSON.stringify(ORDER));
    writeFileSync(join(dir, "schemas", "line.json"), JSON.stringify(LINE));
  }
  const good = JSON.stringify({ lines: [{ sku: "a", qty: 2 }] });
  const bad = JSON.stringify({ lines: [{ sku: "a", qty: 0 }] });

  it("a flow file's references are found beside it: good input runs, bad input is refused by the file's schema", async () => {
    const cwd = freshDir("duro-schema-refs-");
    writeFiles(cwd);
    writeFileSync(join(cwd, "order.yaml"), FLOW);
    const run = await duroJson<{ status: string }>(["run", "order.yaml", "--input", good], { cwd });
    expect(run.status).toBe("completed");
    const refused = await duro(["run", "order.yaml", "--input", bad], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("input_invalid");
    expect(refused.stderr).toContain("lines[0].qty");
  });

  it("a schema file that is neither JSON nor YAML stops the flow before anything runs, naming the file", async () => {
    const cwd = freshDir("duro-schema-refs-");
    writeFiles(cwd);
    writeFileSync(join(cwd, "schemas", "line.json"), '{ "type": "object", ');
    writeFileSync(join(cwd, "order.yaml"), FLOW);
    const refused = await duro(["run", "order.yaml", "--input", good], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("schema_file_invalid");
    expect(refused.stderr).toContain("schema file schemas/line.json is not valid JSON or YAML");
    expect(existsSync(join(cwd, ".duro"))).toBe(false);
  });

  it("in a pack, references from a flow reach the schemas pack.yaml lists, and nothing else", async () => {
    const cwd = freshDir("duro-schema-refs-");
    const pack = join(cwd, "pack");
    writeFiles(pack);
    mkdirSync(join(pack, "flows"));
    writeFileSync(join(pack, "flows", "order.yaml"), FLOW.replaceAll("schemas/order.json", "../schemas/order.json"));
    const manifest = (schemas: string[]) =>
      `id: test.orders\nversion: 1.0.0\nentryFlows: [order]\nflows: [flows/order.yaml]\nschemas: [${schemas.join(", ")}]\nfiles: {}\n`;
    writeFileSync(join(pack, "pack.yaml"), manifest(["schemas/order.json", "schemas/line.json"]));
    expect((await duro(["pack", "build", "pack"], { cwd })).code).toBe(0);
    const run = await duroJson<{ status: string }>(["run", "pack", "--signing", "dev", "--input", good], { cwd });
    expect(run.status).toBe("completed");
    expect((await duro(["run", "pack", "--signing", "dev", "--input", bad], { cwd })).code).toBe(2);

    // line.json is in the directory but not listed: the pack cannot reach it.
    writeFileSync(join(pack, "pack.yaml"), manifest(["schemas/order.json"]));
    expect((await duro(["pack", "build", "pack"], { cwd })).code).toBe(0);
    const refused = await duro(["run", "pack", "--signing", "dev", "--input", good], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/there is no schema file [./]*schemas\/line\.json/);
  });
});

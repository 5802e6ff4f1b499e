// A consumer project compiles against the built package through a symlinked node_modules/duro, with
// moduleResolution NodeNext and bundler: the types of duro/client, duro/ai and duro/mcp resolve, a workflow's input is checked and its output
// typed, and a wrong input is a compile error. A browser-like project (DOM, no Node types) checks the client's own
// declarations without skipLibCheck.
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freshDir, REPO_ROOT, removeTempDirs } from "../support/cli.js";

const TSC = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");

afterAll(() => removeTempDirs());

const WORKFLOWS = `import { workflow } from "duro";

export const order = workflow("order", async (ctx, input: { sku: string; qty: number }) => {
  const total = await ctx.step("price", () => input.qty * 3);
  return { sku: input.sku, total };
});
`;

const TYPED_CLIENT = `import { createClient, DuroError, type Run } from "duro/client";
import { order } from "./workflows.js";

const client = createClient({ baseUrl: "http://localhost:8080", apiKey: "duro_x" });

export async function main(): Promise<number> {
  const started = await client.start(order, { sku: "pen", qty: 2 }, { idempotencyKey: "o-1", priority: 1 });
  const output: { sku: string; total: number } = await started.result({ timeoutMs: 1_000 });
  // @ts-expect-error qty must be a number
  await client.start(order, { sku: "pen", qty: "2" });
  // @ts-expect-error the output has no field "missing"
  started.run.output?.missing;
  const byName = await client.result<{ total: number }>("r_1");
  const byType: { sku: string; total: number } = await client.result<typeof order>("r_1");
  await client.start<typeof order>("order", { sku: "pen", qty: 1 });
  // @ts-expect-error sku is missing
  await client.start<typeof order>("order", { qty: 1 });
  const untyped: unknown = (await client.start("order", { anything: true })).run.output;
  const run: Run = await client.get("r_1");
  for await (const event of client.events(run.id)) if (event.type === "run_completed") break;
  for await (const entry of client.list({ status: "waiting" })) console.log(entry.createdAt.toUpperCase());
  try {
    await client.approve(run.id, "manager", { comment: "ok" });
  } catch (error) {
    if (error instanceof DuroError && error.code === "not_waiting") return 0;
  }
  return output.total + byName.total + byType.total + (untyped === undefined ? 0 : 1);
}
`;

const MCP_CONSUMER = `import { createEngine, MemoryStore, workflow } from "duro";
import { createMcpServer, type DuroMcpOptions, handleMcpRequest, mcpTools } from "duro/mcp";

const engine = createEngine({ store: new MemoryStore() });
const options: DuroMcpOptions = { engine, caller: { tenant: "acme", role: "viewer", actor: "ada" } };
export const server = createMcpServer(options);
export const answer = (request: Request): Promise<Response> => handleMcpRequest(request, options);

export const assistant = (client: Parameters<typeof mcpTools>[0]) =>
  workflow("assistant", async (ctx) => {
    const tools = await mcpTools(client, { ctx, prefix: "docs_", include: ["search"] });
    return (await ctx.agent("helper", { model: "openai:gpt-4o", prompt: "find it", tools })).text;
  });

// @ts-expect-error the role is admin, operator or viewer
export const wrong: DuroMcpOptions = { engine, caller: { tenant: "acme", role: "owner", actor: "ada" } };
`;

const BROWSER_CLIENT = `import { createClient, DuroError, type JournalEvent } from "duro/client";

const client = createClient({ baseUrl: location.origin, fetch: window.fetch });

export async function follow(runId: string, onEvent: (event: JournalEvent) => void): Promise<string> {
  for await (const event of client.events(runId, { signal: AbortSignal.timeout(60_000) })) onEvent(event);
  try {
    return String(await client.result<string>(runId));
  } catch (error) {
    return error instanceof DuroError ? error.code : "unknown";
  }
}
`;

const AI_WORKFLOW = `import { generateText, jsonSchema, stepCountIs, tool, wrapLanguageModel } from "ai";
import { workflow } from "duro";
import { durableTools, duroMiddleware, type DuroMiddlewareOptions } from "duro/ai";

declare const base: Parameters<typeof wrapLanguageModel>[0]["model"];
const options: DuroMiddlewareOptions = { budget: { maxCostUsd: 1 }, retry: { maxAttempts: 2 } };
const deploy = tool({
  inputSchema: jsonSchema<{ service: string }>({ type: "object", properties: { service: { type: "string" } } }),
  needsApproval: true,
  execute: async ({ service }) => ({ deployed: service }),
});

export const agent = workflow("agent", async (ctx, input: { prompt: string }) => {
  const model = wrapLanguageModel({ model: base, middleware: duroMiddleware(ctx, options) });
  const tools = durableTools(ctx, { deploy }, { approval: { deploy: true } });
  // @ts-expect-error only the set's own tools can be marked
  durableTools(ctx, { deploy }, { approval: { other: true } });
  const { text } = await generateText({ model, tools, stopWhen: stepCountIs(3), prompt: input.prompt });
  return text;
});
`;

const HTTP_APP = `import { createEngine, openStore } from "duro";
import { type Caller, durable, duroHandler, embed, nextRoute, toNodeListener } from "duro/http";
import { order } from "./workflows.js";

const engine = createEngine({ store: openStore("app.db"), workflows: [order] });
const auth = (request: Request): Caller | undefined =>
  request.headers.get("authorization") === "Bearer t" ? { keyId: "app", tenant: "default", role: "admin" } : undefined;
export const handler: (request: Request) => Promise<Response> = duroHandler({ engine, auth, prefix: "/duro" });
export const listener = toNodeListener(handler);
export const { GET, POST } = nextRoute(handler);
export const checkout = durable(async (request, ctx) => ctx.step("charge", async () => ({ body: await request.text() })), {
  engine,
  name: "checkout",
  timeoutMs: 5_000,
});
// @ts-expect-error auth is "keys" or a function
duroHandler({ engine, auth: "sessions" });
embed({ engine, worker: { concurrency: 4 } });
`;

/** A project in a temp dir whose node_modules/duro is a symlink to this checkout (as npm link makes it), and ai beside it. */
function project(files: Record<string, string>, compilerOptions: Record<string, unknown>): string {
  const dir = freshDir("duro-consumer-");
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO_ROOT, join(dir, "node_modules", "duro"), "dir");
  symlinkSync(join(REPO_ROOT, "node_modules", "ai"), join(dir, "node_modules", "ai"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", type: "module", private: true }));
  const tsconfig = { compilerOptions: { strict: true, noEmit: true, target: "ES2022", ...compilerOptions }, include: Object.keys(files) };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** tsc's output and exit code for the project. */
function typecheck(dir: string): { code: number; output: string } {
  try {
    return { code: 0, output: execFileSync(process.execPath, [TSC, "-p", join(dir, "tsconfig.json")], { encoding: "utf8" }) };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { code: failed.status, output: `${failed.stdout}${failed.stderr}` };
  }
}

const RESOLUTIONS = {
  NodeNext: { module: "NodeNext", moduleResolution: "NodeNext" },
  bundler: { module: "ESNext", moduleResolution: "bundler" },
};

describe.each(Object.entries(RESOLUTIONS))("a consumer with moduleResolution %s", (_name, resolution) => {
  it("typechecks duro/client with the workflow's input checked and its output typed", () => {
    const dir = project(
      { "workflows.ts": WORKFLOWS, "client.ts": TYPED_CLIENT },
      {
        ...resolution,
        lib: ["ES2022", "DOM", "DOM.AsyncIterable"],
        skipLibCheck: true,
        typeRoots: [join(REPO_ROOT, "node_modules", "@types")],
      },
    );
    const result = typecheck(dir);
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  }, 60_000);

  it("typechecks duro/mcp: the MCP server, its HTTP handler and mcpTools in a workflow", () => {
    const dir = project(
      { "mcp.ts": MCP_CONSUMER },
      { ...resolution, lib: ["ES2022", "DOM"], skipLibCheck: true, typeRoots: [join(REPO_ROOT, "node_modules", "@types")] },
    );
    const result = typecheck(dir);
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  }, 60_000);

  it("fails on a wrong input type (the @ts-expect-error lines are needed)", () => {
    const dir = project(
      { "workflows.ts": WORKFLOWS, "client.ts": TYPED_CLIENT.replaceAll("// @ts-expect-error", "//") },
      {
        ...resolution,
        lib: ["ES2022", "DOM", "DOM.AsyncIterable"],
        skipLibCheck: true,
        typeRoots: [join(REPO_ROOT, "node_modules", "@types")],
      },
    );
    const result = typecheck(dir);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("client.ts(10,");
    expect(result.output).toContain("Type 'string' is not assignable to type 'number'");
    expect(result.output).toContain("Property 'missing' does not exist");
    expect(result.output).toContain("client.ts(17,");
    expect(result.output).toContain("Property 'sku' is missing");
  }, 60_000);

  it("typechecks duro/ai with the AI SDK's wrapLanguageModel, tool and generateText", () => {
    const dir = project(
      { "agent.ts": AI_WORKFLOW },
      { ...resolution, lib: ["ES2022", "DOM"], skipLibCheck: true, typeRoots: [join(REPO_ROOT, "node_modules", "@types")] },
    );
    const result = typecheck(dir);
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  }, 60_000);

  it("typechecks an app that mounts duro/http", () => {
    const dir = project(
      { "workflows.ts": WORKFLOWS, "app.ts": HTTP_APP },
      {
        ...resolution,
        lib: ["ES2022", "DOM", "DOM.AsyncIterable"],
        skipLibCheck: true,
        typeRoots: [join(REPO_ROOT, "node_modules", "@types")],
        types: ["node"],
      },
    );
    const result = typecheck(dir);
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  }, 60_000);

  it("typechecks a browser-like consumer (DOM, no Node types) without skipLibCheck", () => {
    const dir = project(
      { "browser.ts": BROWSER_CLIENT },
      { ...resolution, lib: ["ES2022", "DOM", "DOM.AsyncIterable"], types: [], skipLibCheck: false },
    );
    const result = typecheck(dir);
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  }, 60_000);
});

// `agent`: a tool-calling loop (`ctx.agent`) whose tools are the flow's registered components. Every model
// turn and every tool call is its own journaled step; a tool's arguments are checked against its
// `parameters` (JSON Schema) before the component runs, and bad ones go back to the model as a tool error.
import type { Tool } from "../../agent/index.js";
import { DuroError } from "../../core/index.js";
import { type FlowNode, isRecord } from "../document.js";
import type { NodeKind } from "./kind.js";
import { MODEL_FIELDS, modelOptions, NEEDS_TASK } from "./llm.js";

/** How a flow declares a tool: a component's name, or the component with what the model is told about it. */
interface ToolDecl {
  component: string;
  name?: string;
  description?: string;
  parameters?: Record<string, unknown> | boolean;
}

const TOOL_NAME = "^[A-Za-z0-9_-]{1,64}$";

export const agentNode: NodeKind = {
  kind: "agent",
  summary:
    "A tool-calling loop (`ctx.agent`) over the flow's components; the output is the final answer's text, or its validated JSON value with `responseSchema`.",
  spec: {
    type: "object",
    required: ["model"],
    anyOf: NEEDS_TASK,
    additionalProperties: false,
    properties: {
      ...MODEL_FIELDS,
      tools: {
        type: "array",
        description: "components the model may call: a name, or { component, name?, description?, parameters? }",
        items: {
          anyOf: [
            { type: "string", minLength: 1, description: "a component's name (its arguments are any object)" },
            {
              type: "object",
              required: ["component"],
              additionalProperties: false,
              properties: {
                component: { type: "string", minLength: 1, description: "a registered component's name" },
                name: { type: "string", pattern: TOOL_NAME, description: "the name the model sees; default: the component's, with . as _" },
                description: { type: "string", description: "what the tool does, for the model" },
                parameters: { type: ["object", "boolean"], description: "JSON Schema 2020-12 of the arguments; default: any object" },
              },
            },
          ],
        },
      },
      maxIterations: { type: "integer", minimum: 1, default: 10, description: "model turns before limit_exceeded" },
    },
  },
  literals: [
    ["agent", "tools"],
    ["agent", "responseSchema"],
  ],
  check(node, env) {
    for (const [i, tool] of toolDecls(node).entries()) {
      if (env.components && !Object.hasOwn(env.components, tool.component)) {
        const known = Object.keys(env.components);
        env.problem(
          ["agent", "tools", i],
          "missing_component",
          `tool component "${tool.component}" is not registered; ${known.length ? `known components: ${known.join(", ")}` : "no component is registered"}`,
        );
      }
    }
    const names = toolDecls(node).map(toolName);
    for (const [i, name] of names.entries()) {
      if (names.indexOf(name) !== i)
        env.problem(["agent", "tools", i], "duplicate_tool", `two tools are called "${name}"; give one of them another \`name\``);
    }
  },
  async run(node, rt) {
    // The node's retry and timeout apply to each tool call (model calls keep the toolkit's own policy).
    const { responseSchema, retry, timeout, ...options } = await modelOptions(node, "agent", rt);
    const tools: Tool[] = toolDecls(node).map((decl) => {
      const component = rt.components[decl.component];
      if (!component) {
        throw new DuroError("missing_component", `${rt.where} gives the agent component "${decl.component}", which is not registered`, {
          category: "definition",
          details: { component: decl.component },
        });
      }
      return {
        name: toolName(decl),
        ...(decl.description === undefined ? {} : { description: decl.description }),
        parameters: decl.parameters === undefined || decl.parameters === true ? { type: "object" } : decl.parameters || { not: {} },
        run: (args, step) => component(args, step),
        ...(retry === undefined ? {} : { retry }),
        ...(timeout === undefined ? {} : { timeout }),
      };
    });
    const maxIterations = (node.agent as { maxIterations?: number }).maxIterations;
    const result = await rt.ctx.agent(rt.name, {
      ...options,
      tools,
      ...(maxIterations === undefined ? {} : { maxIterations }),
      ...(responseSchema === undefined ? {} : { responseSchema }),
    });
    return { output: responseSchema === undefined ? result.text : (result.data ?? null) };
  },
};

function toolDecls(node: FlowNode): ToolDecl[] {
  const tools = (isRecord(node.agent) ? node.agent.tools : undefined) ?? [];
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((t) =>
    typeof t === "string" ? [{ component: t }] : isRecord(t) && typeof t.component === "string" ? [t as unknown as ToolDecl] : [],
  );
}

function toolName(decl: ToolDecl): string {
  return decl.name ?? decl.component.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
}

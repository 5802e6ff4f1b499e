// `call`: runs a registered component (a function, a pack's JS or WASM module) as one journaled step.
import { DuroError, toolMock } from "../../core/index.js";
import { type NodeKind, VALUE } from "./kind.js";

export const callNode: NodeKind = {
  kind: "call",
  summary: "Calls a registered component with the evaluated `with:` arguments; its result is the node's output.",
  spec: { type: "string", minLength: 1, description: "the component's name" },
  props: { with: VALUE },
  check(node, env) {
    const name = node.call as string;
    if (env.components && typeof name === "string" && !Object.hasOwn(env.components, name)) {
      const known = Object.keys(env.components);
      env.problem(
        ["call"],
        "missing_component",
        `component "${name}" is not registered; ${known.length ? `known components: ${known.join(", ")}` : "no component is registered"}`,
      );
    }
  },
  async run(node, rt) {
    const name = node.call as string;
    const component = rt.components[name];
    if (!component) {
      throw new DuroError("missing_component", `${rt.where} calls component "${name}", which is not registered`, {
        category: "definition",
        details: { component: name },
      });
    }
    const output = await rt.ctx.step(
      rt.name,
      async (step) => {
        const args = await rt.value(node.with ?? {}, "with", {}, step.signal);
        const mock = toolMock(rt.ctx, name);
        return (await (mock ? mock(args) : component(args, step))) ?? null;
      },
      rt.stepOptions,
    );
    return { output };
  },
};

// Mocked tools and components, for development and tests. With mocks given to an engine (`duro run --mocks`,
// `createTestEngine`), an agent tool or a flow component whose name has a mock returns the mock's result, inside the
// same journaled step, instead of running. The mocks live in src/testing/mocks.ts; this is the seam they plug into:
// an extension that puts them on each context the engine builds, and the lookup the tool and component calls make.
import type { WorkflowContext } from "./context.js";
import { type ContextExtension, contextSlot } from "./extensions.js";

export interface ToolMocks {
  has(name: string): boolean;
  call(name: string, args: unknown): Promise<unknown>;
}

const slot = contextSlot<ToolMocks>("tool-mocks");

/** The extension that makes `mocks` answer the tool and component calls of every run the engine executes. */
export function toolMocksExtension(mocks: ToolMocks): ContextExtension {
  return (ctx) => slot.set(ctx, mocks);
}

/** The mock standing in for the tool or component `name` in this run, if its engine was given one. */
export function toolMock(ctx: WorkflowContext, name: string): ((args: unknown) => Promise<unknown>) | undefined {
  const mocks = slot.get(ctx);
  return mocks?.has(name) ? (args) => mocks.call(name, args) : undefined;
}

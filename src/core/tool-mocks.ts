// Mocked tools and components, for development and tests. While mocks are installed (`duro run --mocks`,
// `createTestEngine`), an agent tool or a flow component whose name has a mock returns the mock's result, inside
// the same journaled step, instead of running. Process-wide like the fetch mock: the code that calls a tool does
// not know it is under test. The mocks themselves live in src/testing/mocks.ts; this is the seam they plug into.

export interface ToolMocks {
  has(name: string): boolean;
  call(name: string, args: unknown): Promise<unknown>;
}

let installed: ToolMocks | undefined;

/** Makes `mocks` answer tool and component calls; returns the function that removes them again. */
export function installToolMocks(mocks: ToolMocks): () => void {
  installed = mocks;
  return () => {
    if (installed === mocks) installed = undefined;
  };
}

/** The mock standing in for the tool or component `name`, if one is installed. */
export function toolMock(name: string): ((args: unknown) => Promise<unknown>) | undefined {
  const mocks = installed;
  return mocks?.has(name) ? (args) => mocks.call(name, args) : undefined;
}

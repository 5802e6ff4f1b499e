// The flags of the local dev loop (`duro run`, `duro resume`): mocks, a mock LLM server, the run folder and a
// cassette, turned into duro/devloop options. The dev loop's code loads only when a command starts a session.
import type { DevSessionOptions } from "../devloop/index.js";
import type { JournalEvent } from "../index.js";
import { warn, warnLease } from "./output.js";

export const DEV_RUN_FLAGS = {
  "artifacts-dir": { type: "string" },
  mocks: { type: "string" },
  record: { type: "string" },
} as const;

type DevFlagValues = { "artifacts-dir"?: string | undefined; mocks?: string | undefined; record?: string | undefined };

/** The session options for these flags; progress lines go to `onEvents` (none with --json or --detach). */
export function devOptions(
  values: DevFlagValues,
  onEvents: ((runId: string, events: JournalEvent[]) => void) | undefined,
): DevSessionOptions {
  return {
    mocks: values.mocks,
    record: values.record,
    artifactsDir: values["artifacts-dir"],
    onEvents,
    onLease: warnLease,
    onWarning: (warning) => warn(`duro: ${warning}`),
  };
}

/** Starts the mock LLM server --mock-llm names (model calls in this process go to it); resolves to its stop. */
export async function mockLlm(script: string | undefined): Promise<(() => Promise<void>) | undefined> {
  if (script === undefined) return undefined;
  const { useMockLlm } = await import("../testing/index.js");
  return useMockLlm(script);
}

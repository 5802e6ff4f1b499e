// The flags that say who does something: `--tenant --session --actor` on commands that start runs, and
// `--actor --traceparent` on those that send a run a decision (signal, approve, answer, cancel, limits raise).
import type { SendOptions, StartOptions } from "../index.js";
import { currentUser } from "./common.js";

export const START_FLAGS = {
  tenant: { type: "string" },
  session: { type: "string" },
  actor: { type: "string" },
} as const;

export const SEND_FLAGS = {
  actor: { type: "string" },
  traceparent: { type: "string" },
} as const;

type StartValues = { tenant?: string | undefined; session?: string | undefined; actor?: string | undefined };
type SendValues = { actor?: string | undefined; traceparent?: string | undefined };

/** The run's tenant, session and actor; the actor defaults to the user running the command. */
export function startAttribution(values: StartValues): Pick<StartOptions, "tenant" | "session" | "actor"> {
  return {
    ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
    ...(values.session === undefined ? {} : { session: values.session }),
    actor: values.actor ?? currentUser(),
  };
}

/** Who sends a decision: --actor (default `fallback`, else the user running the command) and --traceparent. */
export function sendAttribution(values: SendValues, fallback?: string): SendOptions {
  return {
    actor: values.actor ?? fallback ?? currentUser(),
    ...(values.traceparent === undefined ? {} : { traceparent: values.traceparent }),
  };
}

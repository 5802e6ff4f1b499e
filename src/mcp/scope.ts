// Who an MCP session acts for and what it may reach: one tenant's runs, with one role's actions. Every tool and
// resource goes through a Scope, so a session of tenant A cannot see or touch a run of tenant B.
import { DuroError, type Engine, type RunManifest, type RunRecord } from "../index.js";
import type { ApiRole } from "../store/index.js";

/** The caller an MCP server acts for: an API key's tenant and role (HTTP), or the user of `duro mcp` (stdio). */
export interface McpCaller {
  tenant: string;
  role: ApiRole;
  /** Journaled as who did what (decisions, starts, cancellations): a key's name or id, or the local user. */
  actor: string;
  /** The API key, journaled beside the actor when there is one. */
  keyId?: string;
}

export interface DuroMcpOptions {
  engine: Engine;
  caller: McpCaller;
  /** default Date.now */
  clock?: () => number;
  /** What a run started through MCP records as its manifest, by workflow name (as `duro serve` does for the API). */
  manifestOf?: (workflow: string) => RunManifest | undefined;
  /** Told the id of a run written outside the engine (a fork), so that live streams of this process see it. */
  onRunWritten?: (runId: string) => void;
  /** Sees an event's payload before send_event sends it, and may refuse it (duro serve: the API's event limits). */
  checkEvent?: (payload: unknown) => void;
}

const ROLE_RANK: Record<ApiRole, number> = { viewer: 0, operator: 1, admin: 2 };

export class Scope {
  readonly engine: Engine;
  readonly caller: McpCaller;
  readonly clock: () => number;

  constructor(readonly options: DuroMcpOptions) {
    this.engine = options.engine;
    this.caller = options.caller;
    this.clock = options.clock ?? Date.now;
  }

  /** Refuses an action the caller's role does not allow, as the HTTP API does. */
  require(needed: ApiRole, action: string): void {
    if (ROLE_RANK[this.caller.role] >= ROLE_RANK[needed]) return;
    throw new DuroError("forbidden", `${action} needs the ${needed} role; this key is ${this.caller.role}`, {
      category: "auth",
      details: { role: this.caller.role, needed },
    });
  }

  /** The run if the caller's tenant owns it; the same not-found as a missing run otherwise, so existence does not leak. */
  async run(runId: string): Promise<RunRecord> {
    const run = await this.engine.store.getRun(runId);
    if (run && run.tenant === this.caller.tenant) return run;
    throw new DuroError("run_not_found", `no run with id "${runId}"; find runs with the list_runs tool`, { details: { runId } });
  }

  /** Who did it, journaled with a decision, a signal or a cancellation. */
  attribution(): { actor: string; keyId?: string } {
    return { actor: this.caller.actor, ...(this.caller.keyId === undefined ? {} : { keyId: this.caller.keyId }) };
  }
}

// Which code a run executes on and which a start uses, under version pinning (docs/deploys.md): a pinned workflow's
// runs execute only on their own version, so old runs finish on old code; an unpinned one falls back to the newest.
import { inputError, type WorkflowDefinition } from "../core/index.js";
import { type Store, TERMINAL_STATUSES, type WorkflowVersions } from "../store/index.js";
import { versionMismatch, type WorkflowRegistry } from "./registry.js";

export class Definitions {
  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly pinning: boolean | "all",
  ) {}

  /** The code a run of `name` at `version` executes on: that version; without pinning, else the newest. */
  forRun(name: string, version: string | undefined): WorkflowDefinition | undefined {
    const exact = version === undefined ? undefined : this.registry.exact(name, version);
    return exact ?? (version === undefined || !this.isPinned(name) ? this.registry.newest(name) : undefined);
  }

  /** The definition a start uses: `version` exactly when asked for, else `preferred` if registered, else the newest. */
  forStart(name: string, version?: string, preferred?: string): WorkflowDefinition {
    if (version !== undefined) return this.exactly(name, version);
    const def = (preferred === undefined ? undefined : this.registry.exact(name, preferred)) ?? this.registry.newest(name);
    if (def) return def;
    const known = this.registry.names();
    throw inputError(
      "workflow_not_found",
      `no workflow named "${name}"; ${known.length ? `known workflows: ${known.join(", ")}` : "no workflow is registered"}`,
      { workflow: name, known },
    );
  }

  /** Per workflow, the versions this engine's claims are limited to (none without pinning). */
  pinned(): WorkflowVersions {
    return this.pinning ? this.registry.pinned(this.pinning === "all") : {};
  }

  /** Throws version_mismatch when the run is unfinished and this engine has its workflow but not its version. */
  async refuseOtherVersion(store: Store, runId: string): Promise<void> {
    const record = await store.getRun(runId);
    if (!record || TERMINAL_STATUSES.has(record.status) || this.registry.exact(record.workflow, record.version)) return;
    const held = this.pinned()[record.workflow];
    if (held) throw versionMismatch(record, held);
  }

  private isPinned(name: string): boolean {
    return Object.hasOwn(this.pinned(), name);
  }

  private exactly(name: string, version: string): WorkflowDefinition {
    const def = this.registry.exact(name, version);
    if (def) return def;
    const held = this.registry.versions()[name];
    if (!held) return this.forStart(name);
    throw inputError(
      "version_not_found",
      `workflow "${name}" has no registered version "${version}"; registered: ${held.map((v) => `"${v}"`).join(", ")}`,
      { workflow: name, version, known: [...held] },
    );
  }
}

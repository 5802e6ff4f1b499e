// Child runs. A child's id is derived from its parent and its call's key, its run record exists before the commit
// that journals it, its result comes back through the parent's inbox, and a parent that fails or is cancelled
// cancels its open children before its own end is committed.
import {
  childRunId,
  DuroError,
  type EventBody,
  isDuroError,
  type OpRequest,
  toErrorInfo,
  validateWithSchema,
  valueHash,
  type WaitSpec,
  type WorkflowDefinition,
} from "../core/index.js";
import { childKey } from "./inbox-keys.js";
import { queueFields } from "./queues.js";
import type { RunScope } from "./run-scope.js";
import { settleWait, throwChildConflict } from "./settle.js";
import { packVerified, runDeadline } from "./start.js";
import type { Waits } from "./waits.js";

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

export class Children {
  constructor(
    private readonly run: RunScope,
    private readonly waits: Waits,
  ) {}

  /**
   * A child call journals `child_started` at once, in its call's place among the run's calls; the child's run record
   * (input validated, then created) is made before the commit that carries those events, so a journaled child always
   * exists. A child the engine refuses to create (its input is invalid) is journaled as a call that failed.
   */
  start(request: OpRequest): void {
    if (request.recorded) throwChildConflict(request, request.recorded);
    const childId = childRunId(this.run.runId as never, request.key as never);
    const recorded = request.recorded?.wait;
    if (recorded) {
      this.waits.open.set(request.key, { request, spec: recorded });
      return this.run.track(this.waits.checkInbox(request.key));
    }
    const { workflow, input } = request.args as { workflow: WorkflowDefinition | string; input: unknown };
    const name = typeof workflow === "string" ? workflow : workflow.name;
    const spec: WaitSpec = { kind: "child", eventKey: childKey(childId), childRunId: childId, childWorkflow: name };
    const started: EventBody = {
      type: "child_started",
      key: request.key,
      childRunId: childId,
      workflow: name,
      inputHash: valueHash(input),
    };
    this.run.journal.push(started);
    this.run.journal.push({ type: "wait_started", key: request.key, ...spec });
    this.waits.open.set(request.key, { request, spec });
    let created = false;
    this.run.journal.afterCommit(() => {
      if (created) this.run.track(this.run.deps.runChildInline(childId).then(() => this.waits.checkInbox(request.key)));
    });
    const creating = this.create(request, childId, name, workflow, input).then(
      () => {
        created = true;
      },
      (error: unknown) => this.refuse(request, spec, started, error),
    );
    this.run.track(this.run.journal.prepare(creating));
  }

  private async create(request: OpRequest, childId: string, name: string, workflow: WorkflowDefinition | string, input: unknown) {
    const { deps, state } = this.run;
    const def = deps.workflow(name) ?? (typeof workflow === "string" ? undefined : workflow);
    const childInput = def?.options.input
      ? await validateWithSchema(def.options.input, input, "input_invalid", `input of child "${request.key}"`)
      : input;
    const { stored } = await this.run.journalValue(childInput, `input of child "${request.key}"`);
    await deps.store.createRun({
      id: childId,
      workflow: name,
      version: def?.version ?? "unknown",
      input: stored ?? null,
      tenant: state.tenant,
      options: def ? runDeadline(def, deps.clock()) : {},
      parentRunId: this.run.runId,
      ...(def ? { ...queueFields(def, childInput), ...packVerified(def) } : {}),
    });
  }

  /**
   * The child was not created: its call is journaled as settled with the failure (no `child_started`, as no child
   * exists), and the code gets the error a replay of that record gives. Storage failures are not refusals: they
   * end the invocation, and the run is resumed elsewhere.
   */
  private refuse(request: OpRequest, spec: WaitSpec, started: EventBody, error: unknown): void {
    if (isDuroError(error) && error.category === "storage") throw error;
    if (!this.waits.open.delete(request.key)) return;
    if (!this.run.journal.withdraw(started))
      throw new DuroError("internal_error", `child "${request.key}" was committed before its run was created`, { category: "internal" });
    const info = this.run.deps.journalGuard?.error(toErrorInfo(error), `child "${request.key}"`) ?? toErrorInfo(error);
    const payload = { status: "failed", error: info };
    this.run.journal.push({ type: "wait_resolved", key: request.key, payload, by: "refused" });
    this.run.deliveries.deliver(() => settleWait(request, spec, payload, "refused"));
  }

  /**
   * Cancels the children that have not ended: those in the journal, those started by this invocation, and those the
   * store knows as this run's children (a child is created just before the commit that journals it, so an invocation
   * that died in between leaves one the journal does not name).
   */
  async cancelOpen(reason: string): Promise<void> {
    const { deps, runId } = this.run;
    const children = this.run.state.ops.filter((op) => op.kind === "child" && op.status === "waiting" && op.childRunId);
    const started = [...this.waits.open.values()].filter((w) => w.spec.kind === "child").map((w) => w.spec.childRunId as string);
    const ids = new Set([...children.map((op) => op.childRunId as string), ...started]);
    let cursor: string | undefined;
    do {
      const page = await deps.store.listRuns({ parentRunId: runId, limit: 500, ...(cursor ? { cursor } : {}) });
      for (const run of page.runs) if (!TERMINAL.has(run.status)) ids.add(run.id);
      cursor = page.nextCursor;
    } while (cursor);
    for (const id of ids) {
      await deps.cancelRun(id, `parent run ${runId}: ${reason}`).catch((error: unknown) => {
        if (!(isDuroError(error) && error.code === "run_terminal")) throw error;
      });
    }
  }
}

/** What a child's end delivers to its parent's inbox. */
export function childResult(terminal: EventBody): unknown {
  if (terminal.type === "run_completed") return { status: "completed", output: terminal.output, by: "child" };
  if (terminal.type === "run_failed") return { status: "failed", error: terminal.error, by: "child" };
  if (terminal.type === "run_cancelled")
    return { status: "cancelled", error: { code: "cancelled", message: terminal.reason }, by: "child" };
  return undefined;
}

// The WorkflowContext an invocation hands to the workflow code: every durable call goes to the Replayer, which
// matches it against the journal or sends it live; the context itself keeps no state of the run.
import {
  type ApprovalDecision,
  type ArtifactOptions,
  type ArtifactRef,
  applyContextExtensions,
  DuroError,
  type OpRequest,
  type Replayer,
  toMs,
  type WorkflowContext,
} from "../core/index.js";
import type { Store } from "../store/index.js";
import { userCallSite } from "./call-site.js";
import { domainEventData } from "./domain-events.js";
import type { RunScope } from "./run-scope.js";

type Request = <T>(kind: OpRequest["kind"], name: string, args: Record<string, unknown>) => Promise<T>;

/**
 * Builds the context for one invocation. In replay-only mode (the pre-deploy check) each call first reports where in
 * the user's code it was made (`atCall`), for the divergence's location.
 */
export function buildContext(
  run: Pick<RunScope, "deps" | "runId" | "state">,
  replayer: Replayer,
  atCall: (site: string | undefined) => void,
  refuse: (error: DuroError) => void,
): WorkflowContext {
  const { deps, runId } = run;
  const request: Request = (kind, name, args) => {
    if (typeof name !== "string" || name === "") {
      return Promise.reject(new DuroError("invalid_name", `a ${kind} needs a non-empty name`, { category: "definition" }));
    }
    if (deps.replayOnly) atCall(userCallSite());
    return replayer.request(kind, name, args);
  };
  const value = (kind: "now" | "random" | "uuid") => {
    if (deps.replayOnly) atCall(userCallSite());
    return replayer.value(kind);
  };
  // Context extensions (the agent toolkit) add their members in applyContextExtensions below.
  const ctx = {
    runId,
    workflow: run.state.workflow,
    step: (name, fn, options) =>
      typeof fn === "function"
        ? request("step", name, { fn, options })
        : Promise.reject(new DuroError("invalid_step", `step "${name}" needs a function`, { category: "definition" })),
    transaction: (name, fn, options) =>
      typeof fn === "function"
        ? request("step", name, { fn, options, transactional: true })
        : Promise.reject(new DuroError("invalid_step", `transaction "${name}" needs a function`, { category: "definition" })),
    sleep: (name, duration) => request("sleep", name, { ms: toMs(duration) }),
    sleepUntil: (name, time) => request("sleep", name, { until: new Date(time).getTime() }),
    waitForEvent: (name, options) => request("event", name, { ...options }),
    approval: (name, options = {}) => approval(request, name, options),
    ask: (name, options) => request("ask", name, { ...options }),
    externalTool: (name, call) => request("tool", name, { ...call }),
    child: (name, workflow, input) => request("child", name, { workflow, input }),
    now: () => new Date(value("now") as number),
    random: () => value("random") as number,
    uuid: () => value("uuid") as string,
    artifact: (name, content, options = {}) => request("step", name, { fn: () => storeArtifact(deps.store, runId, content, options) }),
    patched: (name) => replayer.patched(name),
    deprecatePatch: (name) => replayer.deprecatePatch(name),
    bookmark: (name) => {
      if (deps.replayOnly) atCall(userCallSite());
      replayer.bookmark(name);
    },
    emit: (name, data) => replayer.emit(name, domainEventData(String(name), data, deps.journalGuard)),
    secrets: deps.secrets,
  } as WorkflowContext;
  const { store } = deps;
  const preconditions: Array<() => DuroError | undefined> = [];
  applyContextExtensions(deps.extensions, ctx, {
    // Stored with the run, so the artifact is kept while the run exists (retention collects it after).
    putArtifact: (bytes, options = {}) => store.putArtifact(bytes, { runId, ...options }),
    getArtifact: (hash) => store.getArtifact(hash),
    readJournal: () => store.read(runId),
    journaled: run.state.ops,
    precondition: (check) => preconditions.push(check),
  });
  for (const check of preconditions) {
    const error = check();
    if (error) refuse(error);
  }
  return ctx;
}

/** ctx.artifact's step: text as UTF-8, bytes as they are, anything else as its JSON. */
async function storeArtifact(
  store: Pick<Store, "putArtifact">,
  runId: string,
  content: string | Uint8Array | object,
  options: ArtifactOptions,
): Promise<ArtifactRef> {
  const bytes =
    content instanceof Uint8Array ? content : Buffer.from(typeof content === "string" ? content : JSON.stringify(content), "utf8");
  const sha256 = await store.putArtifact(bytes, { runId, ...options });
  return { sha256, size: bytes.byteLength, ...options };
}

/** One gate, or several that must all decide: the deciding one is an abort, else a reject, else the first. */
async function approval(
  request: Request,
  name: string,
  options: { gates?: string[]; summary?: string; timeout?: string | number },
): Promise<ApprovalDecision> {
  const { gates, ...rest } = options;
  if (!gates || gates.length === 0) return request<ApprovalDecision>("approval", name, { ...rest, gate: name });
  const decisions = await Promise.all(gates.map((gate) => request<ApprovalDecision>("approval", `${name}/${gate}`, { ...rest, gate })));
  const byGate = Object.fromEntries(gates.map((gate, i) => [gate, decisions[i] as ApprovalDecision]));
  const deciding = decisions.find((d) => d.action === "abort") ?? decisions.find((d) => d.action === "reject") ?? decisions[0];
  return { ...(deciding as ApprovalDecision), decisions: byGate };
}

// Waits and the inbox: sleeps, events, approvals, questions and child results. A wait is journaled when it starts;
// its message is taken from the inbox (consumed in the same commit as its `wait_resolved`), so a message sent before
// the run waits is delivered, never dropped; a wait that is not due soon suspends the run.
import { DuroError, isStandardSchema, type OpRequest, toMs, validateWithSchema, type WaitSpec, WaitTimeoutError } from "../core/index.js";
import { approvalKey, askKey, toolKey } from "./inbox-keys.js";
import type { RunScope } from "./run-scope.js";
import { settleWait } from "./settle.js";

/** An open wait on the inbox: the code's call and what was journaled for it. */
export interface InboxWait {
  request: OpRequest;
  spec: WaitSpec;
}

export class Waits {
  /** The waits on the inbox still open in this invocation, by key. */
  readonly open = new Map<string, InboxWait>();

  constructor(private readonly run: RunScope) {}

  sleep(request: OpRequest): void {
    let until: number;
    if (request.recorded?.wait?.until) {
      until = Date.parse(request.recorded.wait.until);
    } else {
      const { ms, until: at } = request.args as { ms?: number; until?: number };
      until = at ?? this.run.deps.clock() + (ms as number);
      this.run.journal.push({ type: "wait_started", key: request.key, kind: "sleep", until: new Date(until).toISOString() });
    }
    this.run.timers.at(request.key, until, () => {
      this.run.journal.push({ type: "wait_resolved", key: request.key, payload: null, by: "timer" });
      this.run.deliveries.deliver(() => request.resolve(undefined));
    });
  }

  /** An event, approval or ask call: journaled once, then resolved by the inbox or by its timeout. */
  inboxWait(request: OpRequest): void {
    const spec = request.recorded?.wait ?? this.waitSpec(request);
    if (!request.recorded) this.run.journal.push({ type: "wait_started", key: request.key, ...spec });
    this.open.set(request.key, { request, spec });
    if (spec.timeoutAt) {
      this.run.timers.at(request.key, Date.parse(spec.timeoutAt), () => {
        if (!this.open.delete(request.key)) return;
        this.run.journal.push({ type: "wait_resolved", key: request.key, payload: null, by: "timeout" });
        this.run.deliveries.deliver(() => request.reject(new WaitTimeoutError(request.key, spec.timeoutAt as string)));
      });
    }
    this.run.track(this.checkInbox(request.key));
  }

  private waitSpec(request: OpRequest): WaitSpec {
    const args = request.args as Record<string, unknown>;
    const timeout = args.timeout as string | number | undefined;
    const timeoutAt = timeout === undefined ? {} : { timeoutAt: new Date(this.run.deps.clock() + toMs(timeout)).toISOString() };
    switch (request.kind) {
      case "event":
        if (typeof args.key !== "string" || args.key === "") {
          throw new DuroError("invalid_event_key", `waitForEvent "${request.key}" needs a non-empty \`key\``);
        }
        return { kind: "event", eventKey: args.key, ...timeoutAt };
      case "approval":
        return {
          kind: "approval",
          gate: args.gate as string,
          eventKey: approvalKey(this.run.runId, request.key),
          ...(typeof args.summary === "string" ? { summary: args.summary } : {}),
          ...timeoutAt,
        };
      case "tool":
        return {
          kind: "tool",
          tool: String(args.tool),
          callId: String(args.callId),
          // The agent parsed them from the model's JSON, so they are a JSON value already.
          args: args.args ?? null,
          eventKey: toolKey(this.run.runId, request.key),
          ...timeoutAt,
        };
      default: {
        const choices = Array.isArray(args.choices) ? (args.choices as string[]) : undefined;
        return {
          kind: "ask",
          gate: request.key.replace(/#\d+$/, ""),
          eventKey: askKey(this.run.runId, request.key),
          prompt: String(args.prompt ?? ""),
          ...(choices ? { choices } : {}),
          allowFreeText: (args.allowFreeText as boolean | undefined) ?? !choices,
          ...timeoutAt,
        };
      }
    }
  }

  /** Takes the oldest inbox message for an open wait, if there is one. */
  async checkInbox(key: string): Promise<void> {
    for (;;) {
      const wait = this.open.get(key);
      if (!wait || this.run.finished) return;
      const message = await this.run.deps.store.peekInbox(wait.spec.eventKey as string, this.run.state.tenant);
      if (!message || this.run.finished || !this.open.has(key)) return;
      this.run.journal.consume(message.id);
      if (await refuseAnswer(wait, message.payload)) {
        // Commit the refusal's consumption before looking again, or the next peek returns the same message.
        await this.run.journal.flushInOrder();
        continue;
      }
      this.open.delete(key);
      const by = messageAuthor(message.payload);
      this.run.journal.push({
        type: "wait_resolved",
        key,
        payload: message.payload,
        by,
        decidedAt: new Date(message.createdAt).toISOString(),
        ...message.attribution,
      });
      this.run.deliveries.deliver(() => settleWait(wait.request, wait.spec, message.payload, by));
      return;
    }
  }
}

/** An answer the question's schema refuses is consumed without resolving the question. */
async function refuseAnswer(wait: InboxWait, payload: unknown): Promise<boolean> {
  const schema = wait.request.args.schema;
  if (wait.spec.kind !== "ask" || !isStandardSchema(schema)) return false;
  try {
    await validateWithSchema(schema, (payload as { value?: unknown })?.value, "answer_invalid", `answer to "${wait.request.key}"`);
    return false;
  } catch {
    return true;
  }
}

function messageAuthor(payload: unknown): string {
  const by = (payload as { by?: unknown } | null)?.by;
  return typeof by === "string" && by !== "" ? by : "event";
}

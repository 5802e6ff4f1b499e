// The API's request and response shapes, as zod schemas: the server validates with them and /openapi.json is
// generated from them (openapi.ts), so the document cannot drift from what the server accepts.
import { z } from "zod";

export const RUN_STATUSES = ["queued", "running", "waiting", "completed", "failed", "cancelled"] as const;
export const ROLES = ["admin", "operator", "viewer"] as const;

const json = z.unknown().meta({ description: "any JSON value" });
const by = z.string().min(1).max(200).meta({
  description: "who decides (a person's name or e-mail), recorded with the decision; default: the API key (its name and id)",
});
const time = z.iso.datetime().meta({ description: "ISO 8601 time (UTC)" });
const actor = z.string().min(1).max(200).meta({
  description: "who does this (a user id), journaled as the actor; default: the API key's name, else its id",
});
const tenant = z.string().min(1).meta({
  description: "only this tenant's (an all-tenants admin key; default every tenant); any other key may name only its own",
});
const WAITING_FOR = ["event", "approval", "question", "timer", "child", "limit", "tool"] as const;
const attribution = z
  .object({ actor: z.string().optional(), keyId: z.string().optional(), traceparent: z.string().optional() })
  .meta({ id: "Attribution", description: "who did it: the actor, the API key it came through, the caller's W3C traceparent" });

export const StartRunBody = z
  .object({
    workflow: z.string().min(1).meta({ description: "name of a workflow the server has loaded" }),
    input: json.optional(),
    idempotencyKey: z.string().min(1).max(200).optional().meta({ description: "a second start with the same key returns the first run" }),
    session: z.string().min(1).max(200).optional().meta({ description: "the session (conversation, thread) the run belongs to" }),
    actor: actor.optional(),
    id: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .meta({ description: "your own run id; a second start with the same id returns the first run" }),
    queue: z.string().min(1).max(200).optional().meta({ description: "overrides the workflow's queue for this run" }),
    concurrencyKey: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: "overrides the key the workflow's concurrencyKey would give (needs a queue)" }),
    priority: z.number().int().optional().meta({ description: "overrides the workflow's priority (lower runs first; needs a queue)" }),
  })
  .strict()
  .meta({ id: "StartRun" });

export const ListRunsQuery = z
  .object({
    status: z.enum(RUN_STATUSES).optional(),
    workflow: z.string().min(1).optional(),
    parentRunId: z.string().min(1).optional(),
    parent: z.string().min(1).optional().meta({ description: "runs started by this run (the same as parentRunId)" }),
    session: z.string().min(1).optional(),
    actor: z.string().min(1).optional(),
    waitingFor: z.enum(WAITING_FOR).optional().meta({
      description:
        "runs with an open wait of this kind: event, approval, question (ctx.ask), timer (sleep), child, limit (suspended by its budget)",
    }),
    version: z.string().min(1).optional().meta({ description: "runs of this workflow version" }),
    since: z.string().min(1).optional().meta({
      description: "runs created at or after this time: ISO 8601 (UTC unless it names a zone) or a duration ago like 30m, 2h, 7d",
    }),
    until: z.string().min(1).optional().meta({ description: "runs created before this time (the same forms as since)" }),
    sort: z.enum(["created", "updated"]).optional().meta({
      description: "newest created first (default) or most recently changed first; a cursor continues the sort it came from",
    }),
    tenant: tenant.optional(),
    cursor: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
  })
  .strict();

const positive = (what: string) =>
  z
    .number()
    .positive()
    .optional()
    .meta({ description: `the new ${what} limit` });
export const RaiseLimitsBody = z
  .object({
    maxCostUsd: positive("cost (USD)"),
    maxTokens: positive("tokens"),
    maxIterations: positive("model calls"),
    maxWallTime: z.string().min(1).optional().meta({ description: 'the new wall-time limit, e.g. "30m"' }),
  })
  .strict()
  .refine((body) => Object.values(body).some((v) => v !== undefined), { message: "name at least one limit to raise" })
  .meta({ id: "RaiseLimits" });

export const SignalBody = z
  .object({
    key: z.string().min(1).max(500).meta({ description: "the event key runs wait on with ctx.waitForEvent" }),
    payload: json.optional(),
    actor: actor.optional(),
  })
  .strict()
  .meta({ id: "Signal" });

export const DecisionBody = z
  .object({
    action: z.enum(["approve", "reject", "abort"]),
    comment: z.string().max(10_000).optional(),
    by: by.optional(),
    actor: actor.optional(),
  })
  .strict()
  .meta({ id: "Decision" });

export const AnswerBody = z.object({ value: json, by: by.optional(), actor: actor.optional() }).strict().meta({ id: "Answer" });

/** The host's outcome for an external tool call: exactly one of `result` and `error` (checked by the engine). */
export const ToolResultBody = z
  .object({ result: json.optional(), error: z.string().min(1).max(10_000).optional(), by: by.optional() })
  .strict()
  .meta({ id: "ToolResult" });

export const CancelBody = z
  .object({ reason: z.string().max(1_000).optional(), actor: actor.optional() })
  .strict()
  .meta({ id: "Cancel" });

export const ListArtifactsQuery = z
  .object({
    run: z.string().min(1).optional().meta({ description: "only artifacts this run stored" }),
    tag: z.string().min(1).optional().meta({ description: "only artifacts with this tag" }),
    name: z.string().min(1).optional().meta({ description: "only artifacts with this name" }),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

export const ForkBody = z
  .object({
    fromStep: z.string().min(1).max(500).optional().meta({ description: "the first step to execute again: its key (charge#0) or name" }),
    fromBookmark: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .meta({ description: "start after this bookmark (name or name#n); a bookmark is a journal position, not a copy of state" }),
    id: z.string().min(1).max(128).optional().meta({ description: "the new run's id; default a new one" }),
  })
  .strict()
  .meta({ id: "Fork" });

export const TranscriptQuery = z
  .object({ step: z.string().min(1).optional().meta({ description: "only this step's lines (its key, e.g. charge#0)" }) })
  .strict();

export const ApprovalsQuery = z.object({ state: z.enum(["pending"]).optional(), tenant: tenant.optional() }).strict();

export const LinkBody = z
  .object({
    expires: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'how long the link works, e.g. "7d", "12h"; more than 0 and at most 30 days; default 7d' }),
  })
  .strict()
  .meta({ id: "CreateLink" });

export const CreateKeyBody = z
  .object({
    role: z.enum(ROLES),
    name: z.string().max(200).optional(),
  })
  .strict()
  .meta({ id: "CreateKey" });

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "stable snake_case code" }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: "Error" });

/** A run as GET /v1/runs lists it (the runs index, times as ISO strings like GET /v1/runs/{id}). */
export const RunSummary = z
  .object({
    id: z.string(),
    workflow: z.string(),
    version: z.string(),
    tenant: z.string(),
    session: z.string().optional(),
    actor: z.string().optional().meta({ description: "who started the run" }),
    status: z.enum(RUN_STATUSES),
    waitingFor: z.enum(WAITING_FOR).optional().meta({ description: "what the run's newest open wait waits for" }),
    parentRunId: z.string().optional(),
    idempotencyKey: z.string().optional(),
    createdAt: time,
    updatedAt: time,
    readyAt: time.optional().meta({ description: "when the run becomes claimable: a due timer, a retry, or a lease expiry" }),
    lastSeq: z.number().int(),
    cancelRequested: z.string().optional(),
    cancelAttribution: attribution.optional(),
    leaseOwner: z.string().optional(),
    queue: z.string().optional(),
    concurrencyKey: z.string().optional(),
    priority: z.number().optional(),
    admittedAt: time.optional(),
  })
  .meta({ id: "RunSummary" });

const limitView = z.object({
  limit: z.enum(["maxCostUsd", "maxTokens", "maxIterations", "maxWallTimeMs"]),
  max: z.number(),
  used: z.number(),
  left: z.number(),
});

/** GET /v1/runs/{id}/limits: each budget of the run, from its journal. */
export const RunLimitsView = z
  .object({
    runId: z.string(),
    suspended: z.boolean().meta({ description: "whether the run waits for a limit raise now" }),
    suspendedSince: time.optional(),
    budgets: z.array(
      z.object({
        scope: z.string().meta({ description: "run, agent <name> or llm <name>" }),
        limits: z.array(limitView),
        asOf: time.meta({ description: "the model call the use was counted at" }),
      }),
    ),
  })
  .meta({ id: "RunLimits" });

export const RunList = z.object({ runs: z.array(RunSummary), nextCursor: z.string().optional() }).meta({ id: "RunList" });

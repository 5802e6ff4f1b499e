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

export const StartRunBody = z
  .object({
    workflow: z.string().min(1).meta({ description: "name of a workflow the server has loaded" }),
    input: json.optional(),
    idempotencyKey: z.string().min(1).max(200).optional().meta({ description: "a second start with the same key returns the first run" }),
  })
  .strict()
  .meta({ id: "StartRun" });

export const ListRunsQuery = z
  .object({
    status: z.enum(RUN_STATUSES).optional(),
    workflow: z.string().min(1).optional(),
    parentRunId: z.string().min(1).optional(),
    cursor: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
  })
  .strict();

export const SignalBody = z
  .object({
    key: z.string().min(1).max(500).meta({ description: "the event key runs wait on with ctx.waitForEvent" }),
    payload: json.optional(),
  })
  .strict()
  .meta({ id: "Signal" });

export const DecisionBody = z
  .object({
    action: z.enum(["approve", "reject", "abort"]),
    comment: z.string().max(10_000).optional(),
    by: by.optional(),
  })
  .strict()
  .meta({ id: "Decision" });

export const AnswerBody = z.object({ value: json, by: by.optional() }).strict().meta({ id: "Answer" });

export const CancelBody = z
  .object({ reason: z.string().max(1_000).optional() })
  .strict()
  .meta({ id: "Cancel" });

export const ForkBody = z
  .object({
    fromStep: z
      .string()
      .min(1)
      .max(500)
      .meta({ description: 'the step to execute again: its key ("charge#0") or name (its first occurrence)' }),
    input: json.optional().meta({ description: "the fork's input; default: the original run's" }),
  })
  .strict()
  .meta({ id: "Fork" });

export const ApprovalsQuery = z.object({ state: z.enum(["pending"]).optional() }).strict();

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
    status: z.enum(RUN_STATUSES),
    parentRunId: z.string().optional(),
    idempotencyKey: z.string().optional(),
    createdAt: time,
    updatedAt: time,
    readyAt: time.optional().meta({ description: "when the run becomes claimable: a due timer, a retry, or a lease expiry" }),
    lastSeq: z.number().int(),
    cancelRequested: z.string().optional(),
    leaseOwner: z.string().optional(),
    queue: z.string().optional(),
    concurrencyKey: z.string().optional(),
    priority: z.number().optional(),
    admittedAt: time.optional(),
  })
  .meta({ id: "RunSummary" });

export const RunList = z.object({ runs: z.array(RunSummary), nextCursor: z.string().optional() }).meta({ id: "RunList" });

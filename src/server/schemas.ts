// The API's request and response shapes, as zod schemas: the server validates with them and /openapi.json is
// generated from them (openapi.ts), so the document cannot drift from what the server accepts.
import { z } from "zod";

export const RUN_STATUSES = ["queued", "running", "waiting", "completed", "failed", "cancelled"] as const;
export const ROLES = ["admin", "operator", "viewer"] as const;

const json = z.unknown().meta({ description: "any JSON value" });

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
  })
  .strict()
  .meta({ id: "Decision" });

export const AnswerBody = z.object({ value: json }).strict().meta({ id: "Answer" });

export const CancelBody = z
  .object({ reason: z.string().max(1_000).optional() })
  .strict()
  .meta({ id: "Cancel" });

export const ApprovalsQuery = z.object({ state: z.enum(["pending"]).optional() }).strict();

export const LinkBody = z
  .object({
    expires: z.string().min(1).optional().meta({ description: 'how long the link works, e.g. "7d", "12h"; default 7d' }),
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

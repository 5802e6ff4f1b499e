// Components of support-triage.yaml. Stand-ins for a CRM, a classifier, a mailer, a pager and a payment
// provider, deterministic so the example runs anywhere; real ones would pass `step.idempotencyKey` on.
import type { StepContext } from "duro";

const CUSTOMERS: Record<string, { id: string; name: string; tier: string }> = {
  "ana@example.com": { id: "c-100", name: "Ana", tier: "gold" },
  "ops@bigcorp.example": { id: "c-200", name: "BigCorp Ops", tier: "enterprise" },
};

export const crm = {
  lookup: async (input: { email: string }) => CUSTOMERS[input.email] ?? { id: "c-new", name: input.email, tier: "free" },
};

export default { "crm.lookup": crm.lookup, "payments.refund": refundPayment };

export async function classify(input: { subject: string; body: string }) {
  const text = `${input.subject} ${input.body}`.toLowerCase();
  const amount = Number(/(\d+(?:\.\d+)?)\s*(?:eur|€)/.exec(text)?.[1] ?? 0);
  if (text.includes("refund")) return { category: "refund", urgency: "normal", amount };
  if (text.includes("down") || text.includes("outage")) return { category: "incident", urgency: "high", amount };
  return { category: "question", urgency: "normal", amount };
}

export async function reply(input: { ticketId: string; template: string; name: string }, step: StepContext) {
  return { sent: true, template: input.template, messageId: `msg-${input.ticketId}-${input.template}`, dedupe: step.idempotencyKey };
}

export async function page_oncall(input: { ticketId: string; summary: string }) {
  return { paged: "on-call", incident: `inc-${input.ticketId}`, summary: input.summary };
}

async function refundPayment(input: { ticketId: string; customerId: string; amount: number }, step: StepContext) {
  return { refundId: `rf-${input.ticketId}`, amount: input.amount, customerId: input.customerId, idempotencyKey: step.idempotencyKey };
}

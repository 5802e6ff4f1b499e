// route: a trusted JavaScript component that picks the queue for a ticket wrapped by `envelope`.
const QUEUES = { billing: ["invoice", "refund", "charge"], outage: ["down", "outage", "error 500"] };

/** @param {{ ticket: { ok: boolean, data: { subject: string, body?: string } } }} input */
export default async function route(input) {
  const ticket = input.ticket.data;
  const text = `${ticket.subject} ${ticket.body ?? ""}`.toLowerCase();
  const queue = Object.keys(QUEUES).find((name) => QUEUES[name].some((word) => text.includes(word))) ?? "general";
  return { queue, urgent: queue === "outage" };
}

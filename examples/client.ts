// duro/client from another program: start an expense on a running `duro serve`, follow its journal until it waits
// for the manager, approve it, and wait for its result. The workflow is imported as a type only (no engine code).
//   DURO_URL=http://localhost:8080 DURO_TOKEN=<an admin key> node --import tsx examples/client.ts
import { createClient } from "duro/client";
import type expense from "./expense.js";

const client = createClient({ baseUrl: process.env.DURO_URL ?? "http://localhost:8080", apiKey: process.env.DURO_TOKEN ?? "" });

const run = await client.start<typeof expense>("expense", { employee: "ada", amount: 120 }, { idempotencyKey: "claim-7" });
console.log(`started ${run.id}`);
for await (const event of client.events(run.id)) {
  if (event.type === "wait_started") break;
}
await client.approve(run.id, "manager", { comment: "within budget", by: "grace@example.com" });
const result = await run.result({ timeoutMs: 30_000 });
console.log("transfer" in result ? `paid ${result.amount} EUR, transfer ${result.transfer}` : `not paid: ${result.reason}`);

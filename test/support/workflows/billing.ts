// Fixture for the dev loop: an HTTP call (mocked), a secret read inside steps, a three-day sleep, and switches
// that plant secrets in a step result or an error, fail a step for good, or fail one the workflow survives.
import { NonRetryableError, workflow } from "duro";

export interface BillingInput {
  customer: string;
  /** The charge step fails on every attempt, with the secret in its message. */
  fail?: boolean;
  /** A step returns the secret under a secret-named key. */
  leakResult?: boolean;
  /** A step the workflow catches fails: the run completes with a partial failure. */
  loyalty?: boolean;
}

export const billing = workflow("billing", { version: "1" }, async (ctx, input: BillingInput) => {
  const quote = await ctx.step("quote", async () => {
    const response = await fetch(`https://billing.example.test/quote?customer=${input.customer}`);
    return (await response.json()) as { amount: number };
  });
  if (input.leakResult) await ctx.step("session", () => ({ sessionToken: ctx.secrets.get("BILLING_KEY") }));
  const charge = await ctx.step("charge", ({ attempt }) => {
    const key = ctx.secrets.get("BILLING_KEY");
    if (input.fail) throw new Error(`card declined (attempt ${attempt}) using key ${key}`);
    return { charged: quote.amount, maxTokens: 512, inputTokens: 12, tokenCount: 3 };
  });
  if (input.loyalty)
    await ctx
      .step("loyalty", () => {
        throw new NonRetryableError("loyalty service is down");
      })
      .catch(() => null);
  await ctx.sleep("cool-off", "3d");
  await ctx.step("receipt", () => ({ sent: true }));
  return { charged: charge.charged };
});

export default billing;

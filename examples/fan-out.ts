// Fan-out / fan-in: fetch every page of a report in parallel (each a durable step with retries),
// then combine them. Kill it halfway (kill -9) and `duro resume <runId>`: finished pages are not fetched again.
//   npx duro run examples/fan-out.ts --input '{"pages":8}'
import { workflow } from "duro";

export default workflow("fan-out", async (ctx, input: { pages?: number }) => {
  const pages = Array.from({ length: input.pages ?? 5 }, (_, i) => i + 1);
  const results = await Promise.all(
    pages.map((page) =>
      ctx.step(
        "fetch-page",
        async ({ attempt }) => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          // A flaky upstream: every fourth page fails on its first attempt and succeeds when retried.
          if (page % 4 === 3 && attempt === 1) throw new Error(`upstream timed out on page ${page}`);
          return { page, rows: page * 10, attempt };
        },
        { retry: { maxAttempts: 5, initialDelay: "100ms" } },
      ),
    ),
  );
  const total = await ctx.step("combine", () => results.reduce((sum, r) => sum + r.rows, 0));
  return { pages: results.length, total };
});

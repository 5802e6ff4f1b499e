// The program of issue 13, as a new user wrote it: a parent that starts its children in parallel with Promise.all.
import { workflow } from "duro";

export const leaf = workflow("leaf", { version: "1" }, async (ctx, input: { n: number }) => {
  let acc = 0;
  for (let i = 0; i < 5; i++)
    acc += await ctx.step(`k${i}`, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return input.n;
    });
  return acc;
});

export const fan = workflow("fan", { version: "1" }, async (ctx, input: { children: number }) => {
  const results = await Promise.all(Array.from({ length: input.children }, (_, n) => ctx.child(`c${n}`, leaf, { n })));
  return { total: results.reduce((a, b) => a + b, 0) };
});

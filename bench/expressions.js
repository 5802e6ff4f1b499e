// Per-expression cost of flow expressions (src/flow/expression.ts) as built in dist/: a small one, an aggregate
// over 1,000 items and a lambda mapped over 1,000 items. Run: `npm run build && node bench/expressions.js`.
import { evaluate } from "../dist/flow/expression.js";

const items = Array.from({ length: 1000 }, (_, i) => ({ id: i, price: i % 97 }));
const scope = { input: { a: 1, items }, nodes: {}, vars: {}, run: { id: "r", flow: "bench", startedAt: new Date(0).toISOString() } };
const CASES = [
  ["input.a + 1", 20_000],
  ["$sum(input.items.price)", 1_000],
  ["$map(input.items, function($i) { $i.price * 2 })", 300],
];

for (const [text, n] of CASES) {
  for (let i = 0; i < Math.min(n, 200); i++) await evaluate(text, scope, "bench");
  const samples = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) await evaluate(text, scope, "bench");
    samples.push(((performance.now() - start) * 1000) / n);
  }
  samples.sort((a, b) => a - b);
  console.log(`${text.padEnd(52)} median ${samples[2].toFixed(1)} µs per evaluation (5 rounds of ${n})`);
}

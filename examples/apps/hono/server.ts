// duro inside a Hono app: the API and UI at /duro, the app's own route POST /orders, the worker in this process,
// drained at SIGTERM.   PORT=3000 ADMIN_TOKEN=secret node --import tsx examples/apps/hono/server.ts
import { serve } from "@hono/node-server";
import { durable, duroHono, embed } from "duro/http";
import { Hono } from "hono";
import { duro, startOrder } from "../shared/duro.js";

const { engine, handler } = duro();
// A durable endpoint: the request runs as a workflow; it answers as usual within 5 s, else 202 with the run's URL.
const quote = durable(
  async (request, ctx) => {
    const { item } = (await request.json()) as { item: string };
    return ctx.step("price", () => ({ item, price: item.length * 10 }));
  },
  { engine, name: "quote", timeoutMs: 5_000 },
);

const app = new Hono();
app.post("/orders", (c) => startOrder(c.req.raw));
app.post("/quote", (c) => quote(c.req.raw));
app.all("/duro", duroHono(handler));
app.all("/duro/*", duroHono(handler));

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) }, (info) => {
  console.log(`listening on http://localhost:${info.port}`);
});
embed({ engine, server, onShutdown: (stage) => console.log(`duro: ${stage}`) });

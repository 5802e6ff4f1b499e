// duro inside a Hono app: the API and UI at /duro, the app's own route POST /orders, the worker in this process,
// drained at SIGTERM.   PORT=3000 ADMIN_TOKEN=secret node --import tsx examples/apps/hono/server.ts
import { serve } from "@hono/node-server";
import { duroHono, embed } from "duro/http";
import { Hono } from "hono";
import { duro, startOrder } from "../shared/duro.js";

const { engine, handler } = duro();
const app = new Hono();
app.post("/orders", (c) => startOrder(c.req.raw));
app.all("/duro", duroHono(handler));
app.all("/duro/*", duroHono(handler));

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) }, (info) => {
  console.log(`listening on http://localhost:${info.port}`);
});
embed({ engine, server, onShutdown: (stage) => console.log(`duro: ${stage}`) });

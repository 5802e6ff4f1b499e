// duro inside a Fastify 5 app: the API and UI at /duro (a plugin that leaves bodies to duro), the app's own route
// POST /orders, the worker in this process, drained at SIGTERM.
//   PORT=3000 ADMIN_TOKEN=secret node --import tsx examples/apps/fastify/server.ts
import type { AddressInfo } from "node:net";
import { duroFastify, embed } from "duro/http";
import Fastify from "fastify";
import { duro, order } from "../shared/duro.js";

const { engine, handler } = duro();
const app = Fastify();
await app.register(duroFastify(handler), { prefix: "/duro" });
app.post("/orders", async (request, reply) => {
  const run = await engine.start(order, { item: String((request.body as { item: unknown }).item) });
  return reply.code(201).send({ runId: run.id, url: `/duro/v1/runs/${run.id}` });
});

const port = Number(process.env.PORT ?? 3000);
await app.listen({ port, host: "127.0.0.1" });
console.log(`listening on http://localhost:${(app.server.address() as AddressInfo).port}`);
embed({ engine, server: app.server, onShutdown: (stage) => console.log(`duro: ${stage}`) });

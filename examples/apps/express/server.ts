// duro inside an Express 5 app: the API and UI at /duro (mounted before express.json(): duro reads its own bodies),
// the app's own route POST /orders, the worker in this process, drained at SIGTERM.
//   PORT=3000 ADMIN_TOKEN=secret node --import tsx examples/apps/express/server.ts
import type { AddressInfo } from "node:net";
import { embed, toNodeListener } from "duro/http";
import express from "express";
import { duro, order } from "../shared/duro.js";

const { engine, handler } = duro();
const app = express();
app.use("/duro", toNodeListener(handler));
app.use(express.json());
app.post("/orders", async (req, res) => {
  const run = await engine.start(order, { item: String(req.body.item) });
  res.status(201).json({ runId: run.id, url: `/duro/v1/runs/${run.id}` });
});

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, () => console.log(`listening on http://localhost:${(server.address() as AddressInfo).port}`));
embed({ engine, server, onShutdown: (stage) => console.log(`duro: ${stage}`) });

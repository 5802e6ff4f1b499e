// GET /v1/workers: the live workers registry over HTTP, for admins only (workers serve every tenant).
import { expect, it } from "vitest";
import { testServer } from "./support.js";

const json = async (response: Response) => (await response.json()) as { workers: Array<{ id: string; pid: number }> };

it("GET /v1/workers lists the running worker for an admin, forbids a viewer, and is empty once the worker stopped", async () => {
  const s = await testServer();
  const worker = s.engine.runWorker();
  await expect.poll(async () => (await json(await s.call("GET", "/v1/workers", { token: s.keys.acmeAdmin }))).workers).toHaveLength(1);

  const { workers } = await json(await s.call("GET", "/v1/workers", { token: s.keys.acmeAdmin }));
  const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(workers[0]).toMatchObject({ id: s.engine.workerId, pid: process.pid, startedAt: iso, seenAt: iso, expiresAt: iso });
  const forbidden = await s.call("GET", "/v1/workers", { token: s.keys.acmeViewer });
  expect(forbidden.status).toBe(403);
  await worker.stop();
  expect((await json(await s.call("GET", "/v1/workers", { token: s.keys.acmeAdmin }))).workers).toEqual([]);
});

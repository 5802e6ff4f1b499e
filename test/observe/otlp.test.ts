// OTLP export failures are reported with what went wrong and where, not as "undefined" (the SDK rejects a flush
// with an array of errors).
import { createServer } from "node:net";
import { workflow } from "duro";
import { createTestEngine } from "duro/testing";
import { afterEach, expect, it } from "vitest";
import { describeFailure, exportRunOverOtlp } from "../../src/observe/otlp.js";

const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
afterEach(() => {
  if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

it("a failed export names the endpoint and the connection error", async () => {
  const once = workflow("otlp-once", async (ctx) => ctx.step("a", () => 1));
  const kit = createTestEngine({ workflows: [once] });
  const runId = await kit.start(once, {});
  await kit.runToCompletion(runId);
  const events = await kit.journal(runId);
  await kit.close();
  const endpoint = `http://127.0.0.1:${await closedPort()}`;
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
  const problem = await exportRunOverOtlp(runId, events);
  expect(problem).toContain(endpoint);
  expect(problem).toContain("ECONNREFUSED");
  expect(problem).not.toContain("undefined");
});

it("describes arrays, errors and other thrown values", () => {
  expect(describeFailure([new Error("a"), new Error("a"), new Error("b")])).toBe("a; b");
  expect(describeFailure(new TypeError(""))).toBe("TypeError");
  expect(describeFailure("plain")).toBe("plain");
});

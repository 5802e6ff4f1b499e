import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { StepContext } from "../../src/core/index.js";
import { wasmComponent } from "../../src/pack/index.js";
import { example, removeTempDirs } from "../support/cli.js";
import { compileWat, envelopeWasm, fixtureWasm, writeFiles } from "../support/packs.js";

afterAll(removeTempDirs);

function step(signal = new AbortController().signal): StepContext {
  return { idempotencyKey: "r_test:call#0", attempt: 1, signal, emit: () => {} };
}

describe("WebAssembly components", () => {
  it("the example's committed envelope.wasm is exactly what its envelope.wat compiles to", async () => {
    const source = readFileSync(example("packs/support-triage/components/envelope.wat"), "utf8");
    expect(Buffer.from(await compileWat(source)).equals(Buffer.from(envelopeWasm()))).toBe(true);
  });

  it("receive their input as JSON on stdin and return the JSON they write on stdout", async () => {
    const envelope = wasmComponent(envelopeWasm(), { name: "envelope" });
    const input = { subject: "Refund please", tags: ["billing", "ü"], n: 3 };
    await expect(envelope(input, step())).resolves.toEqual({ ok: true, data: input });
  });

  it("fail with capability_denied when they read the clock without the clock capability", async () => {
    const clock = wasmComponent(await fixtureWasm("clock"), { name: "clock" });
    await expect(clock(null, step())).rejects.toMatchObject({
      code: "capability_denied",
      details: { component: "clock", call: "clock_time_get", capability: "clock" },
    });
  });

  it("read the clock when the clock capability is granted", async () => {
    const clock = wasmComponent(await fixtureWasm("clock"), { name: "clock", capabilities: ["clock"] });
    await expect(clock(null, step())).resolves.toEqual({ clock: true });
  });

  it("fail with capability_denied when they read the environment without an env capability", async () => {
    const env = wasmComponent(await fixtureWasm("env"), { name: "env", env: { HOME: "/root" } });
    await expect(env(null, step())).rejects.toMatchObject({ code: "capability_denied", details: { capability: "env" } });
  });

  it("read the environment when an env capability is granted", async () => {
    const env = wasmComponent(await fixtureWasm("env"), { name: "env", capabilities: ["env:GREETING"], env: { GREETING: "hi" } });
    await expect(env(null, step())).resolves.toEqual({ env: true });
  });

  it("fail with capability_denied when they open a file without an fs capability", async () => {
    const fs = wasmComponent(await fixtureWasm("fs"), { name: "fs" });
    await expect(fs(null, step())).rejects.toMatchObject({ code: "capability_denied", details: { call: "path_open", capability: "fs" } });
  });

  it("read the pack's directory when an fs capability grants it", async () => {
    const root = writeFiles({ "data/answer.json": '{"answer":42}' });
    const read = wasmComponent(await fixtureWasm("read-data"), { name: "read", capabilities: ["fs:data"], root });
    await expect(read(null, step())).resolves.toEqual({ answer: 42 });
  });

  it("are stopped with component_timeout when they run past their time limit", async () => {
    const spin = wasmComponent(await fixtureWasm("spin"), { name: "spin", timeout: "300ms" });
    await expect(spin(null, step())).rejects.toMatchObject({ code: "component_timeout", retryable: true, details: { timeoutMs: 300 } });
  });

  it("are stopped with component_output_too_large once they write more than their output limit", async () => {
    const flood = wasmComponent(await fixtureWasm("flood"), { name: "flood", timeout: "1h", maxOutputBytes: 64 * 1024 });
    await expect(flood(null, step())).rejects.toMatchObject({ code: "component_output_too_large" });
  });

  it("never write past their output limit, even in one call: the write that would pass it is refused before it happens", async () => {
    const big = wasmComponent(await fixtureWasm("one-big-write"), { name: "big", maxOutputBytes: 2 * 1024 * 1024 });
    await expect(big(null, step())).rejects.toMatchObject({
      code: "component_output_too_large",
      details: { limit: 2 * 1024 * 1024, written: 1024 * 1024 },
    });
  });

  it("cannot grow their memory past its limit: memory.grow fails there, and the trap is component_memory_limit", async () => {
    const grow = wasmComponent(await fixtureWasm("grow"), { name: "grow", maxMemoryBytes: 4 * 1024 * 1024 });
    await expect(grow(null, step())).rejects.toMatchObject({
      code: "component_memory_limit",
      details: { limit: 4 * 1024 * 1024, memoryBytes: 4 * 1024 * 1024 },
    });
  });

  it("are refused when they start with more memory than the limit (default 256 MiB)", async () => {
    const bytes = await fixtureWasm("huge-memory");
    expect(() => wasmComponent(bytes, { name: "huge" })).toThrow(expect.objectContaining({ code: "component_memory_limit" }));
    // Under a higher limit the same module runs.
    const roomy = wasmComponent(bytes, { name: "huge", maxMemoryBytes: 2 * 1024 ** 3 });
    await expect(roomy(null, step())).rejects.toMatchObject({ code: "component_output_invalid" });
  });

  it("are stopped when their step is aborted", async () => {
    const spin = wasmComponent(await fixtureWasm("spin"), { name: "spin", timeout: "1h" });
    const controller = new AbortController();
    const call = spin(null, step(controller.signal));
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: "component_aborted" });
  });

  it("fail with component_failed on a non-zero exit and component_output_invalid on output that is not JSON", async () => {
    const exit7 = wasmComponent(await fixtureWasm("exit7"), { name: "exit7" });
    const notJson = wasmComponent(await fixtureWasm("not-json"), { name: "not-json" });
    await expect(exit7(null, step())).rejects.toMatchObject({ code: "component_failed", details: { exitCode: 7 } });
    await expect(notJson(null, step())).rejects.toMatchObject({ code: "component_output_invalid" });
  });
});

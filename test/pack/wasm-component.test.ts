// WASI preview 2 components: told apart from modules by their header, transpiled by jco on the host, refused
// before they run when they import an interface their grants do not allow, and run under the same limits.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StepContext } from "../../src/core/index.js";
import { isWasiComponent, wasiComponent } from "../../src/pack/index.js";
import { example } from "../support/cli.js";
import { compileComponent, envelopeWasm, fixtureComponent } from "../support/packs.js";

function step(signal = new AbortController().signal): StepContext {
  return { idempotencyKey: "r_test:call#0", attempt: 1, signal, emit: () => {} };
}

const EXAMPLE = "packs/wasi-envelope";
const exampleWasm = () => new Uint8Array(readFileSync(example(`${EXAMPLE}/components/envelope.wasm`)));

describe("WASI preview 2 components", () => {
  it("the example's committed envelope.wasm is exactly what its WAT and WIT build to with jco's tools", async () => {
    const wat = readFileSync(example(`${EXAMPLE}/components/envelope.component.wat`), "utf8");
    const wit = readFileSync(example(`${EXAMPLE}/wit/world.wit`), "utf8");
    expect(Buffer.from(await compileComponent(wat, wit)).equals(Buffer.from(exampleWasm()))).toBe(true);
  });

  it("are told apart from preview 1 modules by the binary's version and layer", () => {
    expect(isWasiComponent(exampleWasm())).toBe(true);
    expect(isWasiComponent(envelopeWasm())).toBe(false);
    expect(isWasiComponent(new Uint8Array([0, 0x61, 0x73, 0x6d]))).toBe(false);
  });

  it("receive the input as JSON text through run and return the JSON it returns", async () => {
    const envelope = await wasiComponent(exampleWasm(), { name: "envelope" });
    const input = { subject: "Refund please", tags: ["billing", "ü"], n: 3 };
    await expect(envelope(input, step())).resolves.toEqual({ ok: true, via: "wasi-p2", data: input });
  });

  it("are refused with component_import_denied before running when they import the clock without the clock capability", async () => {
    await expect(wasiComponent(await fixtureComponent("p2-clock"), { name: "clock" })).rejects.toMatchObject({
      code: "component_import_denied",
      message: expect.stringContaining("grant clock in pack.yaml (components.clock.capabilities)"),
      details: { component: "clock", imports: [{ import: "wasi:clocks/wall-clock", capability: "clock" }] },
    });
  });

  it("read the clock through preview2-shim when the clock capability is granted", async () => {
    const clock = await wasiComponent(await fixtureComponent("p2-clock"), { name: "clock", capabilities: ["clock"] });
    await expect(clock(null, step())).resolves.toEqual({ clock: true });
  });

  it("are refused whatever they are granted when they import sockets", async () => {
    const everything = ["clock", "random", "env:HOME", "fs:data"];
    await expect(wasiComponent(await fixtureComponent("p2-socket"), { name: "net", capabilities: everything })).rejects.toMatchObject({
      code: "component_import_denied",
      details: { imports: [{ import: "wasi:sockets/instance-network" }, { import: "wasi:sockets/network" }] },
    });
  });

  it("fail with component_failed carrying the message when run returns an error", async () => {
    const fail = await wasiComponent(await fixtureComponent("p2-fail"), { name: "fail" });
    await expect(fail(null, step())).rejects.toMatchObject({ code: "component_failed", details: { error: "no such ticket" } });
  });

  it("are stopped with component_timeout when they run past their time limit, and when their step is aborted", async () => {
    const bytes = await fixtureComponent("p2-spin");
    const spin = await wasiComponent(bytes, { name: "spin", timeout: "300ms" });
    await expect(spin(null, step())).rejects.toMatchObject({ code: "component_timeout", details: { timeoutMs: 300 } });
    const controller = new AbortController();
    const call = (await wasiComponent(bytes, { name: "spin", timeout: "1h" }))(null, step(controller.signal));
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: "component_aborted" });
  });

  it("fail with component_output_too_large when run returns more than the output limit", async () => {
    const envelope = await wasiComponent(exampleWasm(), { name: "envelope", maxOutputBytes: 100 });
    await expect(envelope({ text: "x".repeat(200) }, step())).rejects.toMatchObject({ code: "component_output_too_large" });
  });

  it("are refused with component_load_failed when the bytes are not a component", async () => {
    const broken = exampleWasm().slice(0, 40);
    await expect(wasiComponent(broken, { name: "broken" })).rejects.toMatchObject({ code: "component_load_failed" });
  });
});

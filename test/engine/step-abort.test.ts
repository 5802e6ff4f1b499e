// A step's signal is made on first use; an abort that comes before anyone looked at it must not be lost.
import { describe, expect, it } from "vitest";
import { StepAbort } from "../../src/engine/step-abort.js";

describe("StepAbort", () => {
  it("a signal first read after the abort is already aborted, with the reason", () => {
    const abort = new StepAbort();
    const reason = new Error("run ended");
    abort.abort(reason);
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe(reason);
  });

  it("a signal read before the abort fires its listeners once, with the first reason", () => {
    const abort = new StepAbort();
    const seen: unknown[] = [];
    abort.signal.addEventListener("abort", () => seen.push(abort.signal.reason));
    abort.abort("timeout");
    abort.abort("stopped");
    expect(seen).toEqual(["timeout"]);
  });
});

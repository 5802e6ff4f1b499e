// Whether a lease holder is provably gone, read from a process table: a missing pid, a pid reused by a process that
// started at another time, or a zombie is gone; a matching process is alive; anything it cannot see is unknown.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { holderState, thisProcess } from "../../src/engine/holder.js";
import type { LeaseHolder } from "../../src/store/index.js";

const HOST_ID = "box/boot-1/pid:[4026531836]";
const self: LeaseHolder = { host: "box", hostId: HOST_ID, pid: 100, startTime: "500" };
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A process table with these processes' stat lines (pid, command name, state, start time). */
function table(processes: Array<{ pid: number; comm: string; state: string; startTime: string }>): { proc: string } {
  const proc = mkdtempSync(join(tmpdir(), "duro-proc-"));
  dirs.push(proc);
  for (const p of processes) {
    mkdirSync(join(proc, String(p.pid)));
    // Fields 4 to 21 are not read; field 22 is the start time.
    const middle = Array.from({ length: 18 }, (_, i) => String(i + 1)).join(" ");
    writeFileSync(join(proc, String(p.pid), "stat"), `${p.pid} (${p.comm}) ${p.state} ${middle} ${p.startTime} 4096 77\n`);
  }
  return { proc };
}

const holder = (pid: number, startTime: string, hostId = HOST_ID): LeaseHolder => ({ host: "box", hostId, pid, startTime });

describe("holderState", () => {
  it("a holder whose process still runs with its start time is alive", () => {
    const procs = table([{ pid: 42, comm: "node", state: "S", startTime: "9000" }]);

    expect(holderState(holder(42, "9000"), self, procs)).toBe("alive");
  });

  it("a holder whose pid no longer exists is gone", () => {
    expect(holderState(holder(43, "9000"), self, table([]))).toBe("gone");
  });

  it("a holder whose pid now belongs to a process started at another time (a reused pid) is gone", () => {
    const procs = table([{ pid: 42, comm: "node", state: "R", startTime: "9500" }]);

    expect(holderState(holder(42, "9000"), self, procs)).toBe("gone");
  });

  it("a holder that exited and is not reaped yet (a zombie) is gone", () => {
    const procs = table([{ pid: 42, comm: "node", state: "Z", startTime: "9000" }]);

    expect(holderState(holder(42, "9000"), self, procs)).toBe("gone");
  });

  it("the start time is found after a command name holding spaces and parentheses", () => {
    const procs = table([{ pid: 42, comm: "a) S 1 2 (b", state: "S", startTime: "9000" }]);

    expect(holderState(holder(42, "9000"), self, procs)).toBe("alive");
    expect(holderState(holder(42, "1"), self, procs)).toBe("gone");
  });

  it("a holder on another host, or one that did not say where or when it started, is unknown even if its pid is missing", () => {
    const procs = table([]);

    expect(holderState(holder(42, "9000", "other/boot-2/pid:[1]"), self, procs)).toBe("unknown");
    expect(holderState({ host: "box", pid: 42, startTime: "9000" }, self, procs)).toBe("unknown");
    expect(holderState({ host: "box", hostId: HOST_ID, pid: 42 }, self, procs)).toBe("unknown");
    expect(holderState(undefined, self, procs)).toBe("unknown");
    expect(holderState(holder(42, "9000"), { host: "box", pid: 1 }, procs)).toBe("unknown");
  });

  it("a stat line it cannot read is unknown, never gone", () => {
    const procs = table([]);
    mkdirSync(join(procs.proc, "42"));
    writeFileSync(join(procs.proc, "42", "stat"), "garbage");

    expect(holderState(holder(42, "9000"), self, procs)).toBe("unknown");
  });
});

describe.runIf(process.platform === "linux")("thisProcess on Linux", () => {
  it("names the host by hostname, boot id and pid namespace, and gives this process's pid and start time", () => {
    const me = thisProcess();
    const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();

    expect(me.pid).toBe(process.pid);
    expect(me.hostId).toContain(bootId);
    expect(me.hostId).toMatch(/pid:\[\d+\]$/);
    expect(me.startTime).toMatch(/^\d+$/);
    expect(holderState(me, me)).toBe("alive");
  });

  it("without a boot id (not Linux, or /proc hidden) it has no host id, and its leases run their course", () => {
    const me = thisProcess({ proc: table([]).proc });

    expect(me).toEqual({ host: expect.any(String), pid: process.pid });
    expect(holderState(me, thisProcess())).toBe("unknown");
  });
});

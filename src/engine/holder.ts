// Who holds a lease, and whether that process is provably gone. A lease's holder is recorded with the lease (its host,
// the process table it lives in, its pid and its start time); another process that sees the same process table can
// look the pid up, and a pid that is missing, or now belongs to a process that started at another time, is gone.
// Anything it cannot prove (another machine, a platform without /proc) is left to the lease's expiry.
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";
import type { LeaseHolder } from "../store/index.js";

/** What is known about a lease holder from here: `gone` only when proven, `unknown` when it cannot be told. */
export type HolderState = "alive" | "gone" | "unknown";

/** Where process information is read; tests point it at a directory of their own. default "/proc" */
export interface ProcessTable {
  proc?: string;
}

/**
 * This process as a lease holder. On Linux `hostId` joins the hostname, the boot id and the pid namespace, so that two
 * processes share it only when each can look the other's pid up (not in two containers with their own pid namespaces,
 * not across a reboot); elsewhere there is no `hostId` and this process's leases are only ever taken over by expiry.
 */
export function thisProcess(table: ProcessTable = {}): LeaseHolder {
  const proc = table.proc ?? "/proc";
  const host = hostname();
  const holder: LeaseHolder = { host, pid: process.pid };
  const bootId = readText(`${proc}/sys/kernel/random/boot_id`);
  const pidNamespace = readLink(`${proc}/self/ns/pid`);
  const startTime = processStartTime(proc, process.pid);
  if (bootId === undefined || pidNamespace === undefined || startTime === undefined) return holder;
  return { ...holder, hostId: `${host}/${bootId}/${pidNamespace}`, startTime };
}

/**
 * Whether `holder` is alive, as seen by the process `self` (from `thisProcess`). `gone` needs the same `hostId`, and
 * then either no process with its pid, or one that started at another time (the pid was reused), or one that has
 * exited and is not reaped yet (a zombie cannot write).
 */
export function holderState(holder: LeaseHolder | undefined, self: LeaseHolder, table: ProcessTable = {}): HolderState {
  if (holder?.hostId === undefined || holder.startTime === undefined) return "unknown";
  if (self.hostId === undefined || holder.hostId !== self.hostId) return "unknown";
  const proc = table.proc ?? "/proc";
  const stat = readStat(proc, holder.pid);
  if (stat === "missing") return "gone";
  if (stat === undefined) return "unknown";
  if (stat.startTime !== holder.startTime) return "gone";
  return stat.state === "Z" || stat.state === "X" ? "gone" : "alive";
}

/** The start time of `pid` (clock ticks after boot, /proc/<pid>/stat field 22), or undefined. */
export function processStartTime(proc: string, pid: number): string | undefined {
  const stat = readStat(proc, pid);
  return stat === "missing" ? undefined : stat?.startTime;
}

/**
 * Fields 3 (state) and 22 (starttime) of /proc/<pid>/stat; "missing" when there is no such process; undefined when it
 * cannot be read or parsed (then nothing is concluded). Field 2 is the command name in parentheses, which may itself
 * hold spaces and parentheses, so fields are counted from the last ")".
 */
function readStat(proc: string, pid: number): { state: string; startTime: string } | "missing" | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let text: string;
  try {
    text = readFileSync(`${proc}/${pid}/stat`, "utf8");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : undefined;
  }
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || startTime === undefined || !/^\d+$/.test(startTime)) return undefined;
  return { state, startTime };
}

function readText(path: string): string | undefined {
  try {
    const text = readFileSync(path, "utf8").trim();
    return text === "" ? undefined : text;
  } catch {
    return undefined;
  }
}

function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

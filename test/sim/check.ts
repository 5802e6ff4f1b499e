// The simulation's checker, run once the system has settled: it holds every run's journal, record and output against
// the reference, the effects log, the events the driver sent and the application table, and lists each violation
// with the run it concerns. It trusts nothing the runs report about themselves that it can recompute.
import { isDeepStrictEqual } from "node:util";
import type { Engine, ErrorInfo, JournalEvent } from "duro";
import { verifyChain } from "../../src/store/index.js";
import { allRuns } from "./driver.js";
import { DURO_BIN, runNode, WORKFLOW_FILE } from "./processes.js";
import { nodesOf, type Rng, stepCalls } from "./program.js";
import { reference } from "./reference.js";
import { eventKey, KEY_CONCURRENCY, type SimEffect, type SimInput, type SimOutput } from "./workflow.js";

export interface CheckInput {
  engine: Engine;
  db: string;
  cwd: string;
  effects: SimEffect[];
  /** Event keys the driver sent, with their payloads. */
  sent: Map<string, number>;
  /** The application table's rows (id → value), when the store has transactions. */
  rows: Map<string, number> | undefined;
  /** How many runs to look at through `duro runs show` as well. */
  cliSample: number;
  rng: Rng;
}

export interface CheckFigures {
  runs: number;
  children: number;
  completed: number;
  failed: number;
  cancelled: number;
  steps: number;
  effects: number;
  /** Step attempts that ran again because a fault interrupted the one before. */
  rerunByFault: number;
  eventsConsumed: number;
}

export interface CheckResult {
  violations: string[];
  figures: CheckFigures;
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/** What the checker compares a run's failure by: the failing step, or the child's status and its own failure. */
export function signature(error: ErrorInfo | undefined): string {
  if (error === undefined) return "no error";
  const details = error.details ?? {};
  if (error.code === "step_failed") return `step_failed:${String(details.step)}`;
  if (error.code === "child_failed") {
    const inner = details.error as ErrorInfo | undefined;
    return `child_failed:${String(details.status)}${inner && details.status === "failed" ? `(${signature(inner)})` : ""}`;
  }
  return `${error.code}: ${error.message}`;
}

export async function check(input: CheckInput): Promise<CheckResult> {
  const { engine } = input;
  const violations: string[] = [];
  const figures: CheckFigures = {
    runs: 0,
    children: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    steps: 0,
    effects: input.effects.length,
    rerunByFault: 0,
    eventsConsumed: 0,
  };
  const effects = groupEffects(input.effects);
  const ids = (await allRuns(engine)).map((r) => r.id);
  const records = new Map(await Promise.all(ids.map(async (id) => [id, await engine.store.getRun(id)] as const)));
  const since = await engine.store.chainSince();
  const slots: Array<{ key: string; from: number; to: number; run: string }> = [];
  for (const id of ids) {
    const record = records.get(id);
    if (!record) continue;
    const run = (problem: string) =>
      violations.push(`run ${id} (${record.workflow}${record.parentRunId ? `, child of ${record.parentRunId}` : ""}): ${problem}`);
    figures.runs++;
    if (record.parentRunId) figures.children++;
    const events = await engine.store.read(id);
    checkJournal(events, run);
    const chain = verifyChain(await engine.store.journalChain(id), { requireChain: record.createdAt > since });
    if (!chain.ok) run(`journal chain broken at seq ${chain.firstBadSeq}: ${chain.problem}`);

    const terminal = events.find((e) => e.type === "run_completed" || e.type === "run_failed" || e.type === "run_cancelled");
    if (!TERMINAL.has(record.status)) {
      const parent = record.parentRunId ? records.get(record.parentRunId) : undefined;
      const orphan = parent && (parent.status === "failed" || parent.status === "cancelled") ? ` although its parent ${parent.status}` : "";
      const waits = (await engine.get(id)).waits.map((w) => `${w.key} (${w.kind}${w.eventKey ? ` ${w.eventKey}` : ""})`);
      const on = waits.length > 0 ? ` on ${waits.join(", ")}` : "";
      run(
        `left ${record.status}${on}${orphan} after the system settled (lease owner ${record.leaseOwner ?? "none"}, last seq ${record.lastSeq})`,
      );
      continue;
    }
    if (terminal === undefined || terminal.type !== `run_${record.status}`) {
      run(`record says ${record.status} but the journal ends with ${terminal?.type ?? "no terminal event"}`);
      continue;
    }
    figures[record.status as "completed" | "failed" | "cancelled"]++;
    const created = events[0];
    if (created?.type !== "run_created") continue;
    const simInput = created.input as SimInput;
    const ref = reference(simInput.program);
    const parentEnded = record.parentRunId ? records.get(record.parentRunId)?.status : undefined;
    const cancelledByParent = terminal.type === "run_cancelled" && (parentEnded === "failed" || parentEnded === "cancelled");
    const why = await cancelledChild(engine, terminal);
    if (!cancelledByParent) checkOutcome(terminal, ref.expected, events, (problem) => run(`${problem}${why}`));
    if (record.queue !== undefined && record.admittedAt !== undefined)
      slots.push({ key: record.concurrencyKey ?? "", from: record.admittedAt, to: Date.parse(terminal.at), run: id });

    figures.steps += events.filter((e) => e.type === "step_completed").length;
    figures.rerunByFault += checkEffects(id, events, simInput, effects, input.rows, run);
    const consumed = checkEvents(id, events, simInput, input.sent, run);
    figures.eventsConsumed += consumed.size;
    if (!cancelledByParent && record.status === ref.expected.status)
      for (const name of ref.consumes) if (!consumed.has(name)) run(`never consumed event ${eventKey(id, name)}, which it waits for`);
  }
  for (const [idem] of effects) {
    const runId = idem.slice(0, idem.lastIndexOf(":"));
    if (!records.has(runId)) violations.push(`effect with idempotency key ${idem} belongs to no run`);
  }
  checkQueueSlots(slots, violations);
  await checkWithCli(
    input,
    ids.filter((id) => TERMINAL.has(records.get(id)?.status ?? "")),
    violations,
  );
  return { violations, figures };
}

/** For a run that failed because a child was cancelled: the reason the child's journal gives. */
async function cancelledChild(engine: Engine, terminal: JournalEvent): Promise<string> {
  if (terminal.type !== "run_failed" || terminal.error.code !== "child_failed" || terminal.error.details?.status !== "cancelled") return "";
  const childId = String(terminal.error.details.childRunId);
  const ended = (await engine.store.read(childId)).find((e) => e.type === "run_cancelled");
  return ` (child ${childId} was cancelled: ${ended?.type === "run_cancelled" ? ended.reason : "no run_cancelled in its journal"})`;
}

function checkJournal(events: JournalEvent[], run: (problem: string) => void): void {
  for (const [i, event] of events.entries()) {
    if (event.seq !== i + 1) {
      run(`journal has seq ${event.seq} at position ${i + 1} (a gap or a duplicate)`);
      return;
    }
  }
}

function checkOutcome(
  terminal: JournalEvent,
  expected: ReturnType<typeof reference>["expected"],
  events: JournalEvent[],
  run: (problem: string) => void,
): void {
  const got = terminal.type.replace("run_", "");
  if (got !== expected.status) {
    const detail =
      terminal.type === "run_failed"
        ? ` with ${signature(terminal.error)}`
        : terminal.type === "run_cancelled"
          ? ` (${terminal.reason})`
          : "";
    const wanted = expected.status === "failed" ? ` with one of ${expected.errors.join(" | ")}` : "";
    run(`ended ${got}${detail}; the reference says ${expected.status}${wanted}`);
    return;
  }
  if (terminal.type === "run_failed" && expected.status === "failed" && !expected.errors.includes(signature(terminal.error))) {
    run(`failed with ${signature(terminal.error)}; the reference allows ${expected.errors.join(" | ")}`);
  }
  if (terminal.type === "run_completed" && expected.status === "completed") {
    const output = terminal.output as SimOutput;
    if (!isDeepStrictEqual(output.result, expected.result))
      run(`returned ${JSON.stringify(output.result)}; the reference says ${JSON.stringify(expected.result)}`);
    // ctx.now/random/uuid take no name (their keys count calls of a kind), so the values are compared as a whole.
    const journaled = events.flatMap((e) => (e.type === "value_recorded" && !e.key.startsWith("$patch") ? [e.value] : []));
    const returned = Object.values(output.values ?? {});
    if (!isDeepStrictEqual(sortValues(journaled), sortValues(returned)))
      run(`returned the values ${JSON.stringify(returned)}; the journal recorded ${JSON.stringify(journaled)}`);
  }
}

function sortValues(values: unknown[]): string[] {
  return values.map((v) => JSON.stringify(v)).sort();
}

function groupEffects(effects: SimEffect[]): Map<string, SimEffect[]> {
  const byKey = new Map<string, SimEffect[]>();
  for (const effect of effects) byKey.set(effect.idempotencyKey, [...(byKey.get(effect.idempotencyKey) ?? []), effect]);
  return byKey;
}

/**
 * A completed step's effect happened once; it happened again only for an attempt that failed or that a fault
 * interrupted (journaled as orphaned), always with the same idempotency key, and never twice for one attempt.
 * Returns how many attempts a fault interrupted.
 */
function checkEffects(
  runId: string,
  events: JournalEvent[],
  input: SimInput,
  effects: Map<string, SimEffect[]>,
  rows: Map<string, number> | undefined,
  run: (problem: string) => void,
): number {
  let interrupted = 0;
  for (const [node, call] of [...nodesOf(input.program.body)].flatMap((n) => stepCalls(n).map((c) => [n, c] as const))) {
    const key = call.key;
    const idem = `${runId}:${key}`;
    const mine = effects.get(idem) ?? [];
    const started = new Set(events.flatMap((e) => (e.type === "step_started" && e.key === key ? [e.attempt] : [])));
    const failed = new Set(events.flatMap((e) => (e.type === "step_failed" && e.key === key ? [e.attempt] : [])));
    const orphaned = new Set(events.flatMap((e) => (e.type === "attempt_orphaned" && e.key === key ? [e.attempt] : [])));
    const completed = events.some((e) => e.type === "step_completed" && e.key === key);
    for (const effect of mine) {
      if (effect.run !== runId || effect.key !== key)
        run(`effect ${JSON.stringify(effect)} carries idempotency key ${idem} of another step`);
      if (!started.has(effect.attempt)) run(`step ${key} ran attempt ${effect.attempt}, which its journal never started`);
    }
    if (node.t === "tx") {
      const row = rows?.get(idem);
      if (completed && row !== node.value)
        run(`transaction ${key} completed but its row is ${row === undefined ? "missing" : `${row}, not ${node.value}`}`);
      if (!completed && row !== undefined) run(`transaction ${key} did not complete but its row exists`);
      continue;
    }
    const attempts = mine.map((e) => e.attempt);
    const twice = attempts.filter((a, i) => attempts.indexOf(a) !== i);
    if (twice.length > 0) run(`step ${key} ran attempt ${twice.join(", ")} more than once`);
    if (!completed) continue;
    const last = Math.max(...started);
    const finishing = attempts.filter((a) => a === last).length;
    if (finishing !== 1) run(`step ${key} completed with attempt ${last}, whose effect happened ${finishing} times`);
    for (const attempt of started) {
      if (attempt === last) continue;
      if (orphaned.has(attempt)) interrupted++;
      else if (!failed.has(attempt)) run(`step ${key} attempt ${attempt} neither failed nor was interrupted, yet attempt ${last} ran`);
    }
  }
  return interrupted;
}

/** Each event the run consumed was sent once by the driver, with that payload. Returns the names consumed. */
function checkEvents(
  runId: string,
  events: JournalEvent[],
  input: SimInput,
  sent: Map<string, number>,
  run: (problem: string) => void,
): Set<string> {
  const consumed = new Set<string>();
  for (const node of nodesOf(input.program.body)) {
    if (node.t !== "event") continue;
    const resolved = events.filter((e) => e.type === "wait_resolved" && e.key === `${node.name}#0`);
    if (resolved.length > 1) run(`wait ${node.name} resolved ${resolved.length} times`);
    const first = resolved[0];
    if (first?.type !== "wait_resolved") continue;
    consumed.add(node.name);
    const key = eventKey(runId, node.name);
    if (!sent.has(key)) run(`wait ${node.name} consumed event ${key}, which nobody sent`);
    else if (!isDeepStrictEqual(first.payload, sent.get(key)))
      run(`wait ${node.name} resolved with ${JSON.stringify(first.payload)}; the event sent was ${sent.get(key)}`);
  }
  return consumed;
}

/** No more runs of one concurrency key held a queue slot at once than the queue allows. */
function checkQueueSlots(slots: Array<{ key: string; from: number; to: number; run: string }>, violations: string[]): void {
  const byKey = new Map<string, Array<[number, number]>>();
  for (const slot of slots) byKey.set(slot.key, [...(byKey.get(slot.key) ?? []), [slot.from, 1], [slot.to, -1]]);
  for (const [key, edges] of byKey) {
    let now = 0;
    let peak = 0;
    // Ends sort before starts at the same instant: a slot freed at t may be taken at t.
    for (const [, delta] of edges.sort((a, b) => a[0] - b[0] || a[1] - b[1])) {
      now += delta;
      peak = Math.max(peak, now);
    }
    if (peak > KEY_CONCURRENCY) violations.push(`queue key ${key}: ${peak} runs held a slot at once; the queue allows ${KEY_CONCURRENCY}`);
  }
}

/**
 * `duro runs show`, `duro runs verify` and the exit status of `duro resume`, in processes of their own, agree with the
 * journal for a sample of ended runs.
 */
async function checkWithCli(input: CheckInput, ended: string[], violations: string[]): Promise<void> {
  const sample = Array.from({ length: Math.min(input.cliSample, ended.length) }, () => input.rng.pick(ended));
  for (const id of new Set(sample)) {
    const shown = await runNode([DURO_BIN, "runs", "show", id, "--db", input.db, "--json"], { cwd: input.cwd });
    if (shown.code !== 0) {
      violations.push(`duro runs show ${id} exited with ${shown.code}: ${shown.stderr.trim()}`);
      continue;
    }
    const view = JSON.parse(shown.stdout) as { status: string; output?: unknown; error?: ErrorInfo };
    const details = await input.engine.get(id);
    if (
      view.status !== details.status ||
      !isDeepStrictEqual(view.output, details.output) ||
      signature(view.error) !== signature(details.error)
    )
      violations.push(
        `duro runs show ${id} says ${view.status} ${JSON.stringify(view.output ?? view.error)}; the journal says ${details.status}`,
      );
  }
  if (sample.length === 0) return;
  // `duro resume` of an ended run reports it and exits as `duro run` would have: 0 completed, 1 failed or cancelled.
  const first = sample[0] as string;
  const resumed = await runNode([DURO_BIN, "resume", first, WORKFLOW_FILE, "--db", input.db], { cwd: input.cwd });
  const status = (await input.engine.get(first)).status;
  if (resumed.code !== (status === "completed" ? 0 : 1))
    violations.push(`duro resume ${first} exited with ${resumed.code} for a ${status} run: ${resumed.stderr.trim()}`);
  const verified = await runNode([DURO_BIN, "runs", "verify", ...new Set(sample), "--db", input.db], { cwd: input.cwd });
  if (verified.code !== 0)
    violations.push(`duro runs verify exited with ${verified.code}: ${verified.stdout.trim()} ${verified.stderr.trim()}`);
}

// Phase templates: multi-step agent work with human gates. Personas are bound to roles once and the binding is
// journaled; each phase's artifact is validated, stored by its sha256 and put before a gate (approve, reject to
// redo the phase with the reviewer's comment, or abort). Completed phases are replayed, never redone. However the
// template ends (completed, aborted at a gate, failed), it writes phases.json and phases.md, with an `error` for the
// last two, beside the run folder's own files (run.json, report.md); an aborted or failed template fails the run
// (phase_aborted, or the failure's own code), so the run's status says what happened.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type ApprovalDecision, CancelledError, DuroError, NonDeterminismError, type WorkflowContext } from "../core/index.js";
import type { AgentResult } from "./agent.js";
import type { Budget } from "./budget.js";
import { runtimeOf } from "./context.js";
import type { ModelPrice } from "./models.js";
import { type AnySchema, formatIssues, validate } from "./schema.js";
import type { Tool } from "./tools.js";
import { sha256Hex } from "./workspace.js";

export interface Persona {
  model: string;
  system: string;
  /** Names of the template's tools this persona may use. */
  tools?: string[];
  temperature?: number;
}

export interface Phase {
  name: string;
  /** The role whose persona does the work. */
  role: string;
  instructions: string;
  /**
   * What the phase must produce: validated against `schema` and stored by hash. With `file`, the artifact is that
   * file of the run's workspace (parsed as JSON for `.json`, else its text) instead of the agent's final answer.
   */
  artifact: { name: string; schema: AnySchema; file?: string };
  /** Approval gates after the artifact; default one gate named after the phase; [] for none. */
  gates?: string[];
  /** Attempts (first plus redos after rejection) before the run fails. default 3 */
  maxAttempts?: number;
}

export interface PhaseTemplate {
  name: string;
  phases: Phase[];
  /** Tools personas may use, by name. */
  tools?: Tool[];
  /** Give every persona the run's workspace and its file tools (read_file, write_file, list_files, apply_patch). default false */
  workspace?: boolean;
}

export interface PhaseRunOptions {
  /** A persona per role; bound (and journaled) when the run starts. */
  personas: Record<string, Persona>;
  /** The task, given to every phase. */
  task: unknown;
  /** Budget of each phase's agent (the run's `ctx.budget` applies as well). */
  budget?: Budget;
  /** Model turns per phase attempt. default 10 */
  maxIterations?: number;
  prices?: Record<string, ModelPrice>;
  /** Where phases.json and phases.md go. default .duro/runs/<runId> (the run folder) */
  reportDir?: string;
}

export interface ArtifactRef {
  name: string;
  sha256: string;
  bytes: number;
}

export interface PhaseAttempt {
  attempt: number;
  artifact: ArtifactRef;
  decision?: { action: ApprovalDecision["action"]; by?: string; comment?: string };
  usage: { inputTokens: number; outputTokens: number; costUsd: number; iterations: number };
}

/** Why a template did not complete: the abort decision (`phase_aborted`) or the failure that ended it. */
export interface PhaseError {
  code: string;
  message: string;
  /** The phase it happened in. */
  phase?: string;
}

export interface PhaseReport {
  template: string;
  runId: string;
  /** completed: every phase approved; aborted: a reviewer aborted at a gate; failed: a phase failed (see error). */
  status: "completed" | "aborted" | "failed";
  /** null when completed. */
  error: PhaseError | null;
  personas: Record<string, Persona>;
  phases: Array<{ name: string; role: string; attempts: PhaseAttempt[]; status: "running" | "approved" | "aborted" | "failed" }>;
  artifacts: Record<string, ArtifactRef & { value: unknown }>;
  /** The journal's last events when the report was written (type, key, seq, at; no payloads). */
  lastEvents?: Array<{ seq: number; at: string; type: string; key?: string }>;
  usage: {
    total: { inputTokens: number; outputTokens: number; costUsd: number };
    byPhase: Record<string, { inputTokens: number; outputTokens: number; costUsd: number }>;
    byPersona: Record<string, { inputTokens: number; outputTokens: number; costUsd: number }>;
  };
}

const encoder = new TextEncoder();
const LAST_EVENTS = 20;

/**
 * Runs a phase template inside a workflow; returns (and writes) the report. An abort at a gate throws
 * `phase_aborted` and a failure rethrows its error, each after the report is written.
 */
export async function runPhases(ctx: WorkflowContext, template: PhaseTemplate, options: PhaseRunOptions): Promise<PhaseReport> {
  const roles = [...new Set(template.phases.map((p) => p.role))];
  const missing = roles.filter((role) => !options.personas[role]);
  if (missing.length > 0) {
    throw new DuroError(
      "persona_missing",
      `template "${template.name}" needs a persona for role(s) ${missing.join(", ")}; pass them in personas`,
      {
        category: "definition",
        details: { missing },
      },
    );
  }
  // Journaled once: a resumed run keeps the personas it started with even if the code's defaults changed.
  const personas = await ctx.step("personas", () => Object.fromEntries(roles.map((role) => [role, options.personas[role] as Persona])));
  const report: PhaseReport = {
    template: template.name,
    runId: ctx.runId,
    status: "completed",
    error: null,
    personas,
    phases: [],
    artifacts: {},
    usage: { total: zero(), byPhase: {}, byPersona: {} },
  };
  let failure: { error: unknown } | undefined;
  try {
    for (const phase of template.phases) {
      const outcome = await runPhase(ctx, template, phase, personas[phase.role] as Persona, options, report);
      if (outcome !== "approved") {
        report.status = "aborted";
        report.error = { code: "phase_aborted", message: outcome.message, phase: phase.name };
        failure = {
          error: new DuroError("phase_aborted", outcome.message, { category: "step", retryable: false, details: { phase: phase.name } }),
        };
        break;
      }
    }
  } catch (error) {
    // Replay gone wrong cannot be reported truthfully, and a cancelled run takes no further step.
    if (error instanceof NonDeterminismError || error instanceof CancelledError) throw error;
    const current = report.phases[report.phases.length - 1];
    if (current?.status === "running") current.status = "failed";
    const info = error as { code?: unknown; message?: unknown };
    report.status = "failed";
    report.error = {
      code: typeof info?.code === "string" ? info.code : "step_error",
      message: typeof info?.message === "string" ? info.message : String(error),
      ...(current ? { phase: current.name } : {}),
    };
    failure = { error };
  }
  const written = await writeReportStep(ctx, report, options);
  if (failure) throw failure.error;
  return written;
}

function writeReportStep(ctx: WorkflowContext, report: PhaseReport, options: PhaseRunOptions): Promise<PhaseReport> {
  const { services } = runtimeOf(ctx);
  return ctx.step("report", async () => {
    const events = await services.readJournal();
    report.lastEvents = events
      .slice(-LAST_EVENTS)
      .map((e) => ({ seq: e.seq, at: e.at, type: e.type, ...("key" in e ? { key: e.key } : {}) }));
    return writeReport(report, options.reportDir ?? join(".duro", "runs", ctx.runId));
  });
}

async function runPhase(
  ctx: WorkflowContext,
  template: PhaseTemplate,
  phase: Phase,
  persona: Persona,
  options: PhaseRunOptions,
  report: PhaseReport,
): Promise<"approved" | { message: string }> {
  const entry: PhaseReport["phases"][number] = { name: phase.name, role: phase.role, attempts: [], status: "running" };
  report.phases.push(entry);
  const tools = [
    ...(template.tools ?? []).filter((t) => persona.tools?.includes(t.name)),
    ...(template.workspace ? ctx.workspace.tools() : []),
  ];
  const maxAttempts = phase.maxAttempts ?? 3;
  const comments: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const prompt = phasePrompt(phase, options.task, report.artifacts, comments);
    const result = await producePhaseArtifact(ctx, phase, prompt, (text, repair) =>
      ctx.agent(repair ? `${phase.name}/repair` : phase.name, {
        model: persona.model,
        system: persona.system,
        prompt: text,
        tools,
        ...(phase.artifact.file ? {} : { responseSchema: phase.artifact.schema }),
        maxIterations: options.maxIterations ?? 10,
        ...(persona.temperature === undefined ? {} : { temperature: persona.temperature }),
        ...(options.budget ? { budget: options.budget } : {}),
        ...(options.prices ? { prices: options.prices } : {}),
      }),
    );
    const json = JSON.stringify(result.data);
    const { services } = runtimeOf(ctx);
    const artifact = await ctx.step(`${phase.name}/artifact`, async () => ({
      name: phase.artifact.name,
      sha256: await services.putArtifact(encoder.encode(json), { name: phase.artifact.name, tags: [`phase:${phase.name}`, template.name] }),
      bytes: Buffer.byteLength(json),
    }));
    const usage = { ...result.usage, costUsd: result.costUsd, iterations: result.iterations };
    addUsage(report, phase.name, phase.role, usage);
    const record: PhaseAttempt = { attempt, artifact, usage };
    entry.attempts.push(record);
    report.artifacts[phase.artifact.name] = { ...artifact, value: result.data };
    if (phase.gates && phase.gates.length === 0) {
      entry.status = "approved";
      return "approved";
    }
    const decision = await ctx.approval(phase.name, {
      summary: `${template.name} / ${phase.name}: ${phase.artifact.name} (sha256 ${artifact.sha256.slice(0, 12)}, attempt ${attempt}): ${preview(json)}`,
      ...(phase.gates ? { gates: phase.gates } : {}),
    });
    record.decision = {
      action: decision.action,
      ...(decision.by ? { by: decision.by } : {}),
      ...(decision.comment ? { comment: decision.comment } : {}),
    };
    if (decision.action === "approve") {
      entry.status = "approved";
      return "approved";
    }
    if (decision.action === "abort") {
      entry.status = "aborted";
      const by = decision.by ? ` by ${decision.by}` : "";
      return {
        message: `phase "${phase.name}" of template "${template.name}" was aborted${by} at its gate${decision.comment ? `: ${decision.comment}` : ""}`,
      };
    }
    if (attempt >= maxAttempts) {
      throw new DuroError("phase_rejected", `phase "${phase.name}" was rejected ${attempt} times (its maxAttempts); the run stops`, {
        category: "step",
        details: { phase: phase.name, attempts: attempt, lastComment: decision.comment ?? null },
      });
    }
    comments.push(decision.comment ?? "The reviewer rejected the previous version without a comment; improve it.");
  }
}

type PhaseAgent = (prompt: string, repair: boolean) => Promise<AgentResult>;

/**
 * Runs the phase's agent and returns its artifact in `data`: its validated final answer, or (with `artifact.file`) the
 * workspace file, read in a step that journals its hash. An invalid file is sent back to the agent once to fix.
 */
async function producePhaseArtifact(ctx: WorkflowContext, phase: Phase, prompt: string, agent: PhaseAgent): Promise<AgentResult> {
  const file = phase.artifact.file;
  if (!file) return agent(prompt, false);
  let result = await agent(`${prompt}\n\nWrite it to the workspace file "${file}" with the file tools.`, false);
  for (let repair = 0; ; repair++) {
    const read = await ctx.step(`${phase.name}/artifact-file`, () => readArtifactFile(ctx, file));
    const checked = read.issue === undefined ? await validate(phase.artifact.schema, read.value) : undefined;
    if (checked?.ok) return { ...result, data: checked.value };
    const issue = read.issue ?? formatIssues(checked?.ok === false ? checked.issues : []);
    if (repair >= 1) {
      throw new DuroError(
        "schema_invalid",
        `the workspace file "${file}" of phase "${phase.name}" is not a valid ${phase.artifact.name}: ${issue}`,
        {
          category: "step",
          details: { phase: phase.name, file, issue },
        },
      );
    }
    const again = await agent(`The workspace file "${file}" is not a valid ${phase.artifact.name}: ${issue}. Fix the file.`, true);
    result = {
      ...again,
      usage: sumUsage(result.usage, again.usage),
      costUsd: result.costUsd + again.costUsd,
      iterations: result.iterations + again.iterations,
    };
  }
}

/** The artifact file's value (JSON for .json, else its text) and sha256, or why it cannot be one. */
function readArtifactFile(ctx: WorkflowContext, file: string): { value?: unknown; sha256?: string; issue?: string } {
  let text: string;
  try {
    text = ctx.workspace.readFile(file);
  } catch (error) {
    return { issue: (error as Error).message };
  }
  const hash = sha256Hex(text);
  if (!file.endsWith(".json")) return { value: text, sha256: hash };
  try {
    return { value: JSON.parse(text) as unknown, sha256: hash };
  } catch (error) {
    return { issue: `it is not JSON (${(error as Error).message})`, sha256: hash };
  }
}

function sumUsage(a: AgentResult["usage"], b: AgentResult["usage"]): AgentResult["usage"] {
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
}

function phasePrompt(phase: Phase, task: unknown, artifacts: PhaseReport["artifacts"], comments: string[]): string {
  const parts = [`Phase: ${phase.name}`, phase.instructions, `Task:\n${typeof task === "string" ? task : JSON.stringify(task, null, 2)}`];
  for (const [name, artifact] of Object.entries(artifacts))
    parts.push(`Artifact "${name}" from an earlier phase:\n${JSON.stringify(artifact.value, null, 2)}`);
  if (comments.length > 0)
    parts.push(`A reviewer rejected your previous version. Their comments:\n${comments.map((c) => `- ${c}`).join("\n")}`);
  parts.push(`Produce the artifact "${phase.artifact.name}" as one JSON value matching its schema.`);
  return parts.join("\n\n");
}

function zero() {
  return { inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

function addUsage(
  report: PhaseReport,
  phase: string,
  role: string,
  usage: { inputTokens: number; outputTokens: number; costUsd: number },
): void {
  const byPhase = report.usage.byPhase[phase] ?? zero();
  const byPersona = report.usage.byPersona[role] ?? zero();
  report.usage.byPhase[phase] = byPhase;
  report.usage.byPersona[role] = byPersona;
  for (const bucket of [report.usage.total, byPhase, byPersona]) {
    bucket.inputTokens += usage.inputTokens;
    bucket.outputTokens += usage.outputTokens;
    bucket.costUsd = Math.round((bucket.costUsd + usage.costUsd) * 1e9) / 1e9;
  }
}

function preview(json: string): string {
  return json.length > 160 ? `${json.slice(0, 157)}…` : json;
}

/** The phase report's files: apart from the run folder's report.md and run.json, which describe the run. */
export const PHASE_REPORT_FILES = { json: "phases.json", markdown: "phases.md" } as const;

/** Writes phases.json and phases.md into `dir`; returns the report (journaled as the step's result). */
function writeReport(report: PhaseReport, dir: string): PhaseReport {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, PHASE_REPORT_FILES.json), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(folder, PHASE_REPORT_FILES.markdown), reportMarkdown(report));
  return report;
}

export function reportMarkdown(report: PhaseReport): string {
  const money = (n: number) => `$${n.toFixed(6)}`;
  const lines = [`# ${report.template}: run ${report.runId} (${report.status})`, ""];
  if (report.error)
    lines.push(
      `**${report.status}**${report.error.phase ? ` in phase ${report.error.phase}` : ""}: [${report.error.code}] ${report.error.message}`,
      "",
    );
  lines.push("## Personas", "");
  for (const [role, persona] of Object.entries(report.personas)) lines.push(`- **${role}**: ${persona.model}`);
  lines.push(
    "",
    "## Phases",
    "",
    "| phase | role | attempt | artifact | sha256 | decision | tokens in/out | cost |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const phase of report.phases) {
    for (const a of phase.attempts) {
      const decision = a.decision
        ? `${a.decision.action}${a.decision.by ? ` by ${a.decision.by}` : ""}${a.decision.comment ? `: ${a.decision.comment}` : ""}`
        : "-";
      lines.push(
        `| ${phase.name} | ${phase.role} | ${a.attempt} | ${a.artifact.name} | \`${a.artifact.sha256.slice(0, 16)}\` | ${decision} | ${a.usage.inputTokens}/${a.usage.outputTokens} | ${money(a.usage.costUsd)} |`,
      );
    }
  }
  lines.push(
    "",
    "## Usage",
    "",
    `Total: ${report.usage.total.inputTokens} input and ${report.usage.total.outputTokens} output tokens, ${money(report.usage.total.costUsd)}.`,
    "",
  );
  for (const [persona, u] of Object.entries(report.usage.byPersona))
    lines.push(`- ${persona}: ${u.inputTokens}/${u.outputTokens} tokens, ${money(u.costUsd)}`);
  if (report.lastEvents?.length) {
    lines.push("", "## Last events", "");
    for (const e of report.lastEvents) lines.push(`- ${e.seq} ${e.at} ${e.type}${e.key ? ` ${e.key}` : ""}`);
  }
  lines.push("", "## Artifacts", "");
  for (const [name, a] of Object.entries(report.artifacts))
    lines.push(`### ${name} (\`${a.sha256}\`, ${a.bytes} bytes)`, "", "```json", JSON.stringify(a.value, null, 2), "```", "");
  return `${lines.join("\n")}\n`;
}

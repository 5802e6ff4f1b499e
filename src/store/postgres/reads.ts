// Read coalescing for the PostgreSQL store: getRun and read calls made in the same turn of the event loop go to the
// server as one statement (one snapshot for all of them). An executor starting a run asks for its record and its
// journal at once, and a worker that claimed several runs starts them together: one round trip and one pooled
// connection instead of two per run. A lone call is sent as its own plain statement.
import type { RunRow } from "../rows.js";

export type { RunRow };

export interface JournalRow {
  seq: number;
  type: string;
  at: number;
  data: string;
}

/**
 * A row of the readMany statement: part 0 is a run record (its journal columns are null), part 1 a journal event
 * (its run columns are null); n is the request's position among its kind (1-based).
 */
export interface CombinedRow extends RunRow, JournalRow {
  part: 0 | 1;
  n: number;
}

export interface ReadStatements {
  selectRun(runId: string): Promise<RunRow[]>;
  readJournal(runId: string, fromSeq: number): Promise<JournalRow[]>;
  /** $1 run ids wanted as records, $2 run ids wanted as journals, $3 their from seqs. */
  readMany(runIds: string[], journalIds: string[], fromSeqs: number[]): Promise<CombinedRow[]>;
}

type Request =
  | { kind: "run"; runId: string; resolve: (row: RunRow | undefined) => void; reject: (error: unknown) => void }
  | { kind: "journal"; runId: string; fromSeq: number; resolve: (rows: JournalRow[]) => void; reject: (error: unknown) => void };

export class ReadBatcher {
  private queue: Request[] = [];

  constructor(private readonly statements: ReadStatements) {}

  getRun(runId: string): Promise<RunRow | undefined> {
    return new Promise((resolve, reject) => this.enqueue({ kind: "run", runId, resolve, reject }));
  }

  read(runId: string, fromSeq: number): Promise<JournalRow[]> {
    return new Promise((resolve, reject) => this.enqueue({ kind: "journal", runId, fromSeq, resolve, reject }));
  }

  private enqueue(request: Request): void {
    this.queue.push(request);
    // setImmediate, like the append batch: callers in separate macrotasks of one turn are served together.
    if (this.queue.length === 1) setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      if (batch.length === 1) await this.alone(batch[0] as Request);
      else await this.together(batch);
    } catch (error) {
      for (const request of batch) request.reject(error);
    }
  }

  private async alone(request: Request): Promise<void> {
    if (request.kind === "run") request.resolve((await this.statements.selectRun(request.runId))[0]);
    else request.resolve(await this.statements.readJournal(request.runId, request.fromSeq));
  }

  private async together(batch: Request[]): Promise<void> {
    const runs = batch.filter((r) => r.kind === "run");
    const journals = batch.filter((r) => r.kind === "journal");
    const rows = await this.statements.readMany(
      runs.map((r) => r.runId),
      journals.map((r) => r.runId),
      journals.map((r) => r.fromSeq),
    );
    const records = new Map<number, RunRow>();
    const events = new Map<number, JournalRow[]>();
    for (const row of rows) {
      if (row.part === 0) {
        records.set(row.n, row);
        continue;
      }
      const journal = events.get(row.n) ?? [];
      if (journal.length === 0) events.set(row.n, journal);
      journal.push({ seq: row.seq, type: row.type, at: row.at, data: row.data });
    }
    for (const [i, request] of runs.entries()) request.resolve(records.get(i + 1));
    for (const [i, request] of journals.entries()) request.resolve(events.get(i + 1) ?? []);
  }
}

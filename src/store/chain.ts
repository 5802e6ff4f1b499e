// The journal's hash chain. Every stored event carries sha256(previous hash, its own canonical bytes), so editing,
// removing or reordering any event breaks every hash from there on, and `verifyChain` names the first bad seq.
// The canonical bytes are exactly what the store keeps: seq, type, at (epoch ms) and the JSON text of the rest.
// PostgreSQL computes the same hash in a trigger (schema.ts, version 8); a test checks both agree byte for byte.
import { hash } from "node:crypto";

/** One journal row as stored, with its chain hash (null for events written before the chain existed). */
export interface ChainRow {
  seq: number;
  type: string;
  /** Epoch ms. */
  at: number;
  data: string;
  hash: string | null;
}

/** The outcome of checking a run's chain: `firstBadSeq` is the first event whose hash or position is wrong. */
export interface ChainReport {
  ok: boolean;
  events: number;
  /** Events written before the chain existed (a prefix of the journal); they cannot be checked. */
  unchained: number;
  firstBadSeq?: number;
  problem?: string;
}

/** The hash of an event following an event whose hash is `previous` ("" for the first event). */
export function chainHash(previous: string, seq: number, type: string, at: number, data: string): string {
  // One-shot hashing: no Hash object per event (it is on every append's path).
  return hash("sha256", `${previous}\n${seq}\n${type}\n${at}\n${data}`, "hex");
}

/** The hashes of events appended together at `at` from seq 1 on (a new run's journal), each chained to the one before. */
export function chainFromStart(events: ReadonlyArray<{ type: string; data: string }>, at: number): string[] {
  const hashes: string[] = [];
  for (const [i, event] of events.entries()) hashes.push(chainHash(hashes[i - 1] ?? "", i + 1, event.type, at, event.data));
  return hashes;
}

export interface VerifyChainOptions {
  /**
   * The run was created after the store's chain began (Store.chainSince), so it must be chained from its first event:
   * no prefix without hashes is allowed. default false (an archive read offline cannot tell)
   */
  requireChain?: boolean;
}

/** Checks a journal's rows (as stored, in seq order): seqs must run 1, 2, 3… and every hash must chain. */
export function verifyChain(rows: ChainRow[], options: VerifyChainOptions = {}): ChainReport {
  let previous = "";
  let unchained = 0;
  const bad = (seq: number, problem: string): ChainReport => ({ ok: false, events: rows.length, unchained, firstBadSeq: seq, problem });
  for (const [i, row] of rows.entries()) {
    const expectedSeq = i + 1;
    if (row.seq !== expectedSeq) {
      return bad(expectedSeq, `event ${expectedSeq} is missing (the next stored event is seq ${row.seq})`);
    }
    if (row.hash === null) {
      // Only a prefix may predate the chain: a hash removed later is tampering.
      if (previous !== "") return bad(row.seq, `event ${row.seq} has no hash although event ${row.seq - 1} has one`);
      if (options.requireChain) {
        return bad(
          row.seq,
          `event ${row.seq} has no hash although the run was created after the journal's chain began: its hashes were removed`,
        );
      }
      unchained += 1;
      continue;
    }
    const expected = chainHash(previous, row.seq, row.type, row.at, row.data);
    if (row.hash !== expected) {
      return bad(
        row.seq,
        `event ${row.seq} (${row.type}) does not match its hash: it, or an event before it, was edited, removed or reordered`,
      );
    }
    previous = row.hash;
  }
  return { ok: true, events: rows.length, unchained };
}

// The maintenance role: retention (pruning ended runs, collecting unreferenced artifacts, expiring inbox messages)
// in bounded batches, and the named lease that lets one worker at a time do it.

export interface PruneRequest {
  status: "completed" | "failed" | "cancelled";
  before: number;
  limit: number;
  /** Only these runs (still only if they match status and before): to delete exactly the runs just archived. */
  runIds?: string[];
}

export interface Maintenance {
  /**
   * Retention: deletes up to `limit` runs that ended with `status` and were last updated before `before` (epoch ms),
   * with their journals, waits and the inbox messages they consumed; returns their ids (oldest first). One bounded
   * batch per call, so callers loop until fewer than `limit` come back. Artifacts are kept.
   */
  pruneRuns(request: PruneRequest): Promise<string[]>;
  /** Retention: the ids `pruneRuns` would delete for this request (oldest first), deleting nothing; for archiving first. */
  findPrunable(request: PruneRequest): Promise<string[]>;
  /**
   * Retention: deletes up to `limit` artifacts that no run references any more (their runs were pruned) and that
   * nobody stored again since `before` (epoch ms), and returns their hashes. The grace period (`before` = now minus
   * it) covers a run storing the same bytes while this runs: every put moves an artifact's put time to now, and the
   * delete re-checks it. Artifacts stored without a run are never collected.
   */
  collectArtifacts(request: { before: number; limit: number }): Promise<string[]>;
  /**
   * Retention: deletes up to `limit` inbox messages that nobody consumed and that were delivered before `before`
   * (epoch ms), and returns their ids in ascending order. A message some run of its tenant waits for now (an open wait
   * on its key) is kept: that run takes it at its next claim. One bounded batch per call; which of the due messages a
   * batch takes is the store's choice (each reads them through its index of unconsumed messages).
   */
  expireInbox(request: { before: number; limit: number }): Promise<number[]>;
  /**
   * Takes or renews a named lease for periodic maintenance (retention) so that one worker at a time does it: true
   * when `owner` holds it now until now + `ttlMs`, false when another owner holds an unexpired one.
   */
  acquireMaintenanceLease(request: { name: string; owner: string; ttlMs: number }): Promise<boolean>;
}

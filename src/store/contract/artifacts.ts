// The artifacts role: content-addressed bytes (sha256) for results too large for the journal.
// Storing the same bytes twice keeps one copy; an artifact is kept while a run references it.

export interface ArtifactPutOptions {
  /** The run that stores (and so references) the artifact. */
  runId?: string;
}

export interface Artifacts {
  /**
   * Stores bytes under their sha256 (hex) and returns it; storing the same bytes twice keeps one copy. With `runId`
   * the run is recorded as referencing them, and they are kept while it exists; stored without a run (or before
   * schema support for references) they are kept for good. See `Maintenance.collectArtifacts`.
   */
  putArtifact(bytes: Uint8Array, options?: ArtifactPutOptions): Promise<string>;
  /** The bytes stored under this sha256 (hex), or undefined when there are none. */
  getArtifact(sha256: string): Promise<Uint8Array | undefined>;
}

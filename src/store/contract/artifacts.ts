// The artifacts role: content-addressed bytes (sha256) for results too large for the journal, and what users store
// on purpose (named, tagged, listed). Storing the same bytes twice keeps one copy; an artifact is kept while a run
// references it.

export interface ArtifactPutOptions {
  /** The run that stores (and so references) the artifact. */
  runId?: string;
  /** A name to find it by (`plan.md`, `report`); the latest put that names the bytes wins. default: none */
  name?: string;
  /** Tags to find it by; every put adds its tags to the artifact's. default: none */
  tags?: readonly string[];
}

/** One artifact as listed: its hash, what it was named and tagged, its size and the runs that reference it. */
export interface ArtifactInfo {
  sha256: string;
  name?: string;
  /** Sorted, each once. */
  tags: string[];
  /** Bytes. */
  size: number;
  /** Ids of the runs that stored it (within the filter's tenant, when it names one). */
  runs: string[];
  /** Its first put (epoch ms); undefined for artifacts stored before stores kept it. */
  createdAt?: number;
}

export interface ArtifactFilter {
  /** Only this artifact. */
  sha256?: string;
  /** Only artifacts this run stored. */
  runId?: string;
  /** Only artifacts with this tag. */
  tag?: string;
  /** Only artifacts with this name. */
  name?: string;
  /** Only artifacts a run of this tenant stored; their runs are listed within it too. default: every tenant */
  tenant?: string;
  /** default 100, at most 1000 */
  limit?: number;
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
  /** Artifacts matching the filter, newest first (artifacts without a creation time last). */
  listArtifacts(filter?: ArtifactFilter): Promise<ArtifactInfo[]>;
}

// The workflows an engine holds, by name and version. Several versions of one name may be registered side by side
// (old runs finish on the old code while new runs start on the newest); a name and a version identify one definition.
import { DuroError, isSourceHashVersion, type WorkflowDefinition } from "../core/index.js";
import type { WorkflowVersions } from "../store/index.js";

export class WorkflowRegistry {
  /** Per name, its versions in registration order: the last is the newest. */
  private readonly byName = new Map<string, WorkflowDefinition[]>();
  /** What `versions()` and `pinned()` return until the next registration: workers send one with every claim. */
  private held: WorkflowVersions | undefined;
  private pinnedHeld: { all: boolean; versions: WorkflowVersions } | undefined;

  /** Adds a definition; registering the same one twice is a no-op, another with the same name and version an error. */
  add(def: WorkflowDefinition): void {
    const versions = this.byName.get(def.name) ?? [];
    const same = versions.find((v) => v.version === def.version);
    if (same === def) return;
    if (same) {
      throw new DuroError(
        "duplicate_workflow",
        `two different workflows are named "${def.name}" with the same version "${def.version}"; give the new code its own version (workflow("${def.name}", { version: "…" }, fn)) or register only one of them`,
        { category: "definition", details: { workflow: def.name, version: def.version } },
      );
    }
    this.byName.set(def.name, [...versions, def]);
    this.held = undefined;
    this.pinnedHeld = undefined;
  }

  /** The most recently registered version of `name`. */
  newest(name: string): WorkflowDefinition | undefined {
    return this.byName.get(name)?.at(-1);
  }

  /** The definition of `name` at exactly `version`. */
  exact(name: string, version: string): WorkflowDefinition | undefined {
    return this.byName.get(name)?.find((d) => d.version === version);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Per name, the versions held (what a pinned worker announces in its claims). */
  versions(): WorkflowVersions {
    this.held ??= Object.freeze(
      Object.fromEntries([...this.byName].map(([name, defs]) => [name, Object.freeze(defs.map((d) => d.version))])),
    );
    return this.held;
  }

  /**
   * The versions a pinned worker announces: of the workflows that name their version (`workflow(name, { version })`),
   * or with `all` also of those versioned by a hash of their source. Workflows left out are claimed in any version.
   */
  pinned(all: boolean): WorkflowVersions {
    if (this.pinnedHeld?.all !== all) {
      const versions = this.versions();
      const named = (name: string) => all || (this.byName.get(name) ?? []).every((d) => !isSourceHashVersion(d.version));
      this.pinnedHeld = { all, versions: Object.freeze(Object.fromEntries(Object.entries(versions).filter(([name]) => named(name)))) };
    }
    return this.pinnedHeld.versions;
  }
}

/** A run whose version the loaded code does not have: say which versions there are and the three ways on. */
export function versionMismatch(run: { id: string; workflow: string; version: string }, codeVersions: readonly string[]): DuroError {
  const code = codeVersions.map((v) => `"${v}"`).join(", ");
  return new DuroError(
    "version_mismatch",
    `run ${run.id} is workflow "${run.workflow}" version "${run.version}", but the loaded code has version ${code}. ` +
      `Runs only execute on the code of their own version: run the old code (a worker with version "${run.version}" finishes it), ` +
      `or check that this code replays the run (duro check <file…>) and then pass --any-version (engine option versionPinning: false), ` +
      `or fork the run onto this code (duro runs fork ${run.id} <file> --from-step <key>)`,
    { category: "input", details: { runId: run.id, workflow: run.workflow, runVersion: run.version, codeVersions: [...codeVersions] } },
  );
}

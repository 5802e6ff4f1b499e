// The Store contract: the intersection of the role interfaces in contract/ (one file per role), plus closing.
// Every backend implements all of it and passes the shared suite in src/testing/store-conformance/; a caller that
// needs one role takes that role (or a Pick of it), not the whole Store.

import type { Access } from "./contract/access.js";
import type { Artifacts } from "./contract/artifacts.js";
import type { Inbox } from "./contract/inbox.js";
import type { Journal } from "./contract/journal.js";
import type { Maintenance } from "./contract/maintenance.js";
import type { Queues } from "./contract/queues.js";
import type { Runs } from "./contract/runs.js";
import type { Schedules } from "./contract/schedules.js";
import type { Work } from "./contract/work.js";
import type { Workers } from "./contract/workers.js";

export type * from "./contract/access.js";
export type * from "./contract/artifacts.js";
export type * from "./contract/inbox.js";
export type * from "./contract/journal.js";
export type * from "./contract/maintenance.js";
export type * from "./contract/queues.js";
export * from "./contract/runs.js";
export type * from "./contract/schedules.js";
export type * from "./contract/work.js";
export type * from "./contract/workers.js";

/** Options every backend accepts. */
export interface StoreOptions {
  /** The store's clock (epoch ms) for leases, `at` and readiness; tests pass a fake one. default Date.now */
  clock?: () => number;
}

/** Everything a backend provides: each role, and closing the handle. */
export interface Store extends Journal, Runs, Work, Queues, Inbox, Artifacts, Schedules, Access, Maintenance, Workers {
  /** Ends this handle's connections and background work; every later call fails with `store_closed`. */
  close(): Promise<void>;
}

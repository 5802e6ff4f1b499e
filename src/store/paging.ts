// Cursor pagination of the runs index, shared by every backend. Sorted by creation (the default) the cursor is the
// position (an increasing integer per created run) of the last run a page returned; sorted by last update it is that
// run's update time and position ("u<updatedAt>.<pk>"), so a page continues below the last one even when runs share
// an update time.
import { inputError } from "../core/index.js";
import type { RunPage, RunRecord, RunSort } from "./contract/runs.js";
import { invalidCursor } from "./errors.js";

export const DEFAULT_PAGE_SIZE = 50;

export const RUN_SORTS: readonly RunSort[] = ["created", "updated"];

/** Where a page continues: below this position (and, sorted by update, below this update time). */
export interface ListPosition {
  pk: number;
  updatedAt?: number;
}

/** The page size asked for, checked: a positive integer, default 50. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1) {
    throw inputError("invalid_limit", `limit must be a positive integer, got ${limit}`, { limit });
  }
  return limit;
}

/** The sort asked for, checked; default "created". */
export function listSort(sort: string | undefined): RunSort {
  if (sort === undefined) return "created";
  if ((RUN_SORTS as readonly string[]).includes(sort)) return sort as RunSort;
  throw inputError("invalid_sort", `runs sort by "created" or "updated", not "${sort}"`, { sort });
}

/** A time bound of a listing, checked: epoch ms as a finite number. */
export function listTime(value: number | undefined, name: "since" | "until"): number | undefined {
  if (value === undefined || Number.isFinite(value)) return value;
  throw inputError("invalid_time", `${name} must be a time in epoch ms, got ${value}`, { [name]: value });
}

/** The position a page continues below, or undefined for the first page; a cursor of the other sort is refused. */
export function decodeCursor(cursor: string | undefined, sort: RunSort = "created"): ListPosition | undefined {
  if (cursor === undefined) return undefined;
  const match = sort === "created" ? /^()([1-9]\d{0,15})$/.exec(cursor) : /^u(\d{1,16})\.([1-9]\d{0,15})$/.exec(cursor);
  if (!match) throw invalidCursor(cursor, sort);
  const pk = Number(match[2]);
  return sort === "created" ? { pk } : { pk, updatedAt: Number(match[1]) };
}

/** The cursor of the page after the one that ended at this run. */
export function encodeCursor(last: { pk: number; updatedAt: number }, sort: RunSort = "created"): string {
  return sort === "created" ? String(last.pk) : `u${last.updatedAt}.${last.pk}`;
}

/** A page from the rows a query returned for `limit + 1` (one row past the page tells whether there is a next). */
export function pageOfRows<R extends { pk: number | string; updated_at: number | string }>(
  rows: R[],
  limit: number,
  sort: RunSort,
  toRecord: (row: R) => RunRecord,
): RunPage {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  if (rows.length <= limit || !last) return { runs: page.map(toRecord) };
  return { runs: page.map(toRecord), nextCursor: encodeCursor({ pk: Number(last.pk), updatedAt: Number(last.updated_at) }, sort) };
}

/** The listing filters that are equalities on one column of the runs index (parentRunId is left to the planner). */
const SEEK_FILTER_NAMES = ["status", "workflow", "tenant", "version", "session", "actor", "waitingFor"] as const;
export type SeekFilter = (typeof SEEK_FILTER_NAMES)[number];
export const SEEK_FILTERS: ReadonlySet<string> = new Set(SEEK_FILTER_NAMES);

/**
 * Per sort, the equality filters each listing index of both stores holds in front of the sort's columns, in the
 * index's column order (runs_version (workflow, version, pk), runs_tenant_status, runs_by_status, runs_retention
 * (status, updated_at, pk), …; SQLite's indexes end in the rowid, which is pk), in the order a listing prefers them:
 * more columns first, then the index that is smaller or more selective in a database with one tenant, where every API
 * listing carries tenant = 'default'.
 */
const SEEK_INDEXES: Record<RunSort, readonly SeekFilter[][]> = {
  created: [
    ["workflow", "version"],
    ["tenant", "status"],
    ["tenant", "workflow"],
    ["waitingFor"],
    ["session"],
    ["actor"],
    ["status"],
    ["workflow"],
    ["tenant"],
  ],
  updated: [["status"], ["tenant"]],
};

/**
 * The index a listing with these filters reads its page from, as the filters it holds, or undefined when none
 * fits (or a parent's runs are asked for: runs_parent finds the few children at once). The stores write the listing
 * so that this index is the only one that can serve it, and apply the other filters to the rows it reads. Left to
 * itself, a planner can walk the primary key (or runs_updated) instead, costing it as if the matching rows were spread
 * evenly over it: an old version's runs sit together far below the newest, and PostgreSQL read 1,000,000 rows to find
 * 50 of them (306 ms at bench:scale's size). The seek reads a subset of the rows that walk would read, up to the same
 * last row, so it is never the slower of the two.
 */
export function listSeek(sort: RunSort, filters: readonly string[]): readonly SeekFilter[] | undefined {
  if (filters.includes("parentRunId")) return undefined;
  return SEEK_INDEXES[sort].find((index) => index.every((name) => filters.includes(name)));
}

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

// Cursor pagination of the runs index, shared by every backend: newest first, the cursor is the position
// (an increasing integer per created run) of the last run a page returned.
import { inputError } from "../core/index.js";
import { invalidCursor } from "./errors.js";

export const DEFAULT_PAGE_SIZE = 50;

/** The page size asked for, checked: a positive integer, default 50. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1) {
    throw inputError("invalid_limit", `limit must be a positive integer, got ${limit}`, { limit });
  }
  return limit;
}

/** The position a page continues below, or undefined for the first page. */
export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^[1-9]\d{0,15}$/.test(cursor)) throw invalidCursor(cursor);
  return Number(cursor);
}

export function encodeCursor(position: number): string {
  return String(position);
}

// The row shapes the SQL backends share (their columns are named alike) and how a row becomes a record.
import type { ApiKeyRecord, ApiRole, InboxMessage, NewRun, RunRecord, RunStatus } from "./store.js";

/** A runs row as the SQL stores select it. */
export interface RunRow {
  pk: number;
  id: string;
  workflow: string;
  version: string;
  tenant: string;
  status: RunStatus;
  parent_run_id: string | null;
  idempotency_key: string | null;
  created_at: number;
  updated_at: number;
  ready_at: number | null;
  /** null only for a run with no journal, which a store never writes. */
  last_seq: number | null;
  cancel_requested: string | null;
  lease_owner: string | null;
  lease_epoch: number;
}

/** An inbox row as the SQL stores select it. */
export interface MessageRow {
  id: number;
  event_key: string;
  tenant: string;
  payload: string;
  created_at: number;
}

export function toRecord(row: RunRow): RunRecord {
  const record: RunRecord = {
    id: row.id,
    workflow: row.workflow,
    version: row.version,
    tenant: row.tenant,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeq: row.last_seq ?? 0,
  };
  if (row.parent_run_id !== null) record.parentRunId = row.parent_run_id;
  if (row.idempotency_key !== null) record.idempotencyKey = row.idempotency_key;
  if (row.ready_at !== null) record.readyAt = row.ready_at;
  if (row.cancel_requested !== null) record.cancelRequested = row.cancel_requested;
  if (row.lease_owner !== null) record.leaseOwner = row.lease_owner;
  return record;
}

export function toMessage(row: MessageRow): InboxMessage {
  return {
    id: row.id,
    eventKey: row.event_key,
    payload: JSON.parse(row.payload) as unknown,
    tenant: row.tenant,
    createdAt: row.created_at,
  };
}

/** The record of a run just created (status queued, its run_created event as seq 1). */
export function newRunRecord(run: NewRun, now: number, readyAt: number): RunRecord {
  const record: RunRecord = {
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    tenant: run.tenant,
    status: "queued",
    createdAt: now,
    updatedAt: now,
    readyAt,
    lastSeq: 1,
  };
  if (run.parentRunId !== undefined) record.parentRunId = run.parentRunId;
  if (run.idempotencyKey !== undefined) record.idempotencyKey = run.idempotencyKey;
  return record;
}

/** An api_keys row as the SQL stores select it (PostgreSQL returns its bigints as strings). */
export interface ApiKeyRow {
  id: string;
  tenant: string;
  role: ApiRole;
  hash: string;
  name: string | null;
  created_at: number | string;
  revoked_at: number | string | null;
}

export function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  const key: ApiKeyRecord = { id: row.id, tenant: row.tenant, role: row.role, hash: row.hash, createdAt: Number(row.created_at) };
  if (row.name !== null) key.name = row.name;
  if (row.revoked_at !== null) key.revokedAt = Number(row.revoked_at);
  return key;
}

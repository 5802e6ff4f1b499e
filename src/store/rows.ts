// The row shapes the SQL backends share (their columns are named alike) and how a row becomes a record.
import type { Attribution } from "../core/index.js";
import { toJson } from "./event-codec.js";
import type {
  ApiKeyRecord,
  ApiRole,
  CatchUpPolicy,
  InboxMessage,
  NewRun,
  RunRecord,
  RunStatus,
  ScheduleRecord,
  ScheduleSpec,
  WaitingFor,
} from "./store.js";

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
  queue: string | null;
  concurrency_key: string | null;
  priority: number;
  admitted_at: number | null;
  session: string | null;
  actor: string | null;
  waiting_for: WaitingFor | null;
  /** JSON of an Attribution. */
  cancel_attribution: string | null;
}

/** What a claim returns for each run it leased. */
export interface LeaseRow {
  pk: number;
  id: string;
  workflow: string;
  lease_epoch: number;
  ready_at: number;
}

/** An inbox row as the SQL stores select it. */
export interface MessageRow {
  id: number;
  event_key: string;
  tenant: string;
  payload: string;
  created_at: number;
  /** JSON of an Attribution. */
  attribution: string | null;
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
  if (row.session !== null) record.session = row.session;
  if (row.actor !== null) record.actor = row.actor;
  if (row.parent_run_id !== null) record.parentRunId = row.parent_run_id;
  if (row.idempotency_key !== null) record.idempotencyKey = row.idempotency_key;
  if (row.waiting_for !== null) record.waitingFor = row.waiting_for;
  if (row.ready_at !== null) record.readyAt = row.ready_at;
  if (row.cancel_requested !== null) record.cancelRequested = row.cancel_requested;
  if (row.cancel_attribution !== null) record.cancelAttribution = JSON.parse(row.cancel_attribution) as Attribution;
  if (row.lease_owner !== null) record.leaseOwner = row.lease_owner;
  if (row.queue !== null) Object.assign(record, { queue: row.queue, priority: Number(row.priority) });
  if (row.concurrency_key !== null) record.concurrencyKey = row.concurrency_key;
  if (row.admitted_at !== null) record.admittedAt = Number(row.admitted_at);
  return record;
}

export function toMessage(row: MessageRow): InboxMessage {
  return {
    id: row.id,
    eventKey: row.event_key,
    payload: JSON.parse(row.payload) as unknown,
    tenant: row.tenant,
    createdAt: row.created_at,
    ...(row.attribution === null ? {} : { attribution: JSON.parse(row.attribution) as Attribution }),
  };
}

/** An Attribution as the JSON text the SQL stores keep, or null when it has no field. */
export function attributionColumn(attribution: Attribution | undefined): string | null {
  return attribution && Object.keys(attribution).length ? JSON.stringify(attribution) : null;
}

/** The record of a run just created (status queued, its run_created event as seq 1); `readyAt` undefined while it waits in a queue. */
export function newRunRecord(run: NewRun, now: number, readyAt: number | undefined): RunRecord {
  const record: RunRecord = {
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    tenant: run.tenant,
    status: "queued",
    createdAt: now,
    updatedAt: now,
    lastSeq: 1 + (run.followedBy?.length ?? 0),
  };
  if (readyAt !== undefined) record.readyAt = readyAt;
  if (run.session !== undefined) record.session = run.session;
  if (run.actor !== undefined) record.actor = run.actor;
  if (run.parentRunId !== undefined) record.parentRunId = run.parentRunId;
  if (run.idempotencyKey !== undefined) record.idempotencyKey = run.idempotencyKey;
  if (run.queue !== undefined) Object.assign(record, { queue: run.queue, priority: run.priority ?? 0 });
  if (run.concurrencyKey !== undefined) record.concurrencyKey = run.concurrencyKey;
  return record;
}

/** A schedules row as the SQL stores select it (paused is 0/1 on SQLite, a boolean on PostgreSQL). */
export interface ScheduleRow {
  name: string;
  cron: string;
  timezone: string;
  workflow: string;
  input: string;
  catch_up: CatchUpPolicy;
  max_catch_up: number;
  paused: number | boolean;
  next_fire_at: number;
  last_fired_at: number | null;
  last_run_id: string | null;
  created_at: number;
  updated_at: number;
}

export function toSchedule(row: ScheduleRow): ScheduleRecord {
  const record: ScheduleRecord = {
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    workflow: row.workflow,
    input: JSON.parse(row.input) as unknown,
    catchUp: row.catch_up,
    maxCatchUp: row.max_catch_up,
    paused: Boolean(row.paused),
    nextFireAt: row.next_fire_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.last_fired_at !== null) record.lastFiredAt = row.last_fired_at;
  if (row.last_run_id !== null) record.lastRunId = row.last_run_id;
  return record;
}

/** The bound parameters of an upsert, shared by the SQL stores (input as JSON text). */
export function scheduleParams(spec: ScheduleSpec) {
  return {
    name: spec.name,
    cron: spec.cron,
    timezone: spec.timezone,
    workflow: spec.workflow,
    input: toJson(spec.input, "a schedule's input"),
    catchUp: spec.catchUp,
    maxCatchUp: spec.maxCatchUp,
    nextFireAt: spec.nextFireAt,
  };
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

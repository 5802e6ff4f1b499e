// Every error code duro itself raises or journals, with its category, whether retrying can help, the status the API
// answers with and what it means. DuroError, the server's status mapping and docs/errors.md all read this one table.

/** What kind of failure an error is; it decides the CLI's exit code, the API's default status and whether a worker crashes. */
export type ErrorCategory = "input" | "definition" | "storage" | "step" | "limit" | "auth" | "internal";

/** One row of the table. */
export interface ErrorCodeSpec {
  readonly category: ErrorCategory;
  /** Whether the same call can succeed later. A call site that knows better decides per case (an HTTP 503 is, a 404 is not). */
  readonly retryable: boolean;
  /** The HTTP status the API answers with. */
  readonly status: number;
  /** One line: what happened. The error's own message says it with the values that matter, and what to do. */
  readonly description: string;
}

/** The API's status for a category; a row sets its own where a more precise one exists (404, 409, 413…). */
export const STATUS_BY_CATEGORY: Readonly<Record<ErrorCategory, number>> = {
  input: 400,
  definition: 400,
  auth: 401,
  limit: 429,
  storage: 503,
  step: 500,
  internal: 500,
};

interface RowOptions {
  /** default false */
  retryable?: boolean;
  /** default STATUS_BY_CATEGORY[category] */
  status?: number;
}

const row =
  (category: ErrorCategory) =>
  (description: string, options: RowOptions = {}): ErrorCodeSpec => ({
    category,
    retryable: options.retryable ?? false,
    status: options.status ?? STATUS_BY_CATEGORY[category],
    description,
  });

const input = row("input");
const definition = row("definition");
const storage = row("storage");
const step = row("step");
const limit = row("limit");
const auth = row("auth");
const internal = row("internal");
const retryable = { retryable: true } as const;

export const ERROR_CODES = {
  // ---- runs and their journal (core, engine) ----
  non_retryable: step("A step threw NonRetryableError: it failed at once, without its remaining retries."),
  non_determinism: definition("Replaying a run asked for another step than its journal holds: the code changed under a run in flight."),
  lease_lost: storage("A writer lost its lease on the run; nothing was appended, another worker continues the run.", retryable),
  step_failed: step("A step failed for good (retries exhausted or not retryable); the workflow may catch it."),
  step_error: step("A step threw something that is not a DuroError (a TypeError, a string); it is retried by its policy.", retryable),
  workflow_error: step("The workflow's own code threw outside any step (between steps or before the first)."),
  step_timeout: step("A step did not finish within its timeout; it is retried by its policy.", retryable),
  attempts_exhausted: step("A step's process died during each of its allowed attempts; it is not run again."),
  attempt_orphaned: step("An attempt never finished: its process died or lost its lease (in transcripts and traces)."),
  wait_timeout: step("A wait (event, approval, answer) was not resolved before its timeout."),
  child_failed: step("A child run failed or was cancelled; the parent may catch it."),
  cancelled: step("The run (or the step's expression) was cancelled."),
  run_ended: step("The run ended while a step still ran; the step's signal is aborted with this reason."),
  run_timeout: limit("The run did not finish by its deadline."),
  result_not_serializable: step("A step's result or the run's output is not plain JSON and cannot be journaled."),
  not_serializable: input("A value cannot be stored: it is not plain JSON."),
  not_json: input("A value given to the engine (input, event payload, answer) is not plain JSON."),
  artifact_missing: storage("A journaled reference points to an artifact the store does not hold."),
  artifact_hash_mismatch: storage("The artifact store returned another hash than the one asked for."),
  invalid_artifact_tag: input("An artifact's tag or name is not a non-empty string."),
  invalid_artifact_hash: input("An artifact hash is not a sha256 as 64 lowercase hex digits."),
  artifact_not_found: input("No artifact has this sha256 (among those a run of this tenant stored).", { status: 404 }),
  replay_frontier: internal("A replay-only run (the pre-deploy check) reached the end of its journal."),
  worker_stopped: internal("The worker stopped past its grace period; the step runs again elsewhere."),
  internal_error: internal("An invariant of duro did not hold; this is a bug in duro, please report it."),
  invalid_name: definition("A step, wait, transaction, patch, bookmark or domain event was given an empty name."),
  domain_event_invalid: definition("A domain event's data (ctx.emit) is not plain JSON."),
  domain_event_too_large: definition("A domain event's data (ctx.emit) is over 64 KiB of JSON."),
  invalid_step: definition("A step or transaction was given no function."),
  invalid_event_key: input("An event key is empty, or starts with the reserved prefix duro:."),
  invalid_traceparent: input("A traceparent is not a W3C trace context (version-traceid-parentid-flags, lowercase hex)."),
  invalid_attribution: input("An actor or session id is empty, too long, or not a string."),
  invalid_duration: input("A duration is neither a number of milliseconds nor text like 250ms, 2s, 5m, 1h30m, 7d."),
  invalid_run_id: input("A run id is not 1 to 128 letters, digits, _, ., : or -, starting with a letter or digit."),
  input_invalid: input("A run's input does not match its workflow's input schema."),
  answer_invalid: input("An answer does not match the question's schema or choices."),
  run_not_found: input("No run has this id (in this tenant).", { status: 404 }),
  run_terminal: input("The run already ended; it takes no more cancellations or decisions.", { status: 409 }),
  run_conflict: input("A run with this id or idempotency key exists with another workflow or input.", { status: 409 }),
  run_exists: input("A fork was asked for with the id of an existing run."),
  child_conflict: definition("A journaled child run was started with another workflow or input than the code asks for now."),
  not_waiting: input("The run is not waiting for this approval or answer.", { status: 409 }),
  already_decided: input("The gate already has a decision or answer that the run has not taken yet.", { status: 409 }),
  tool_call_unknown: input("The run has no external tool call with this id.", { status: 404 }),
  tool_call_answered: input("The external tool call already has a result (taken by the run or on its way to it).", { status: 409 }),
  invalid_tool_result: input("A tool call's outcome must be exactly one of a result (JSON) and an error message."),
  gate_required: input("The run waits on several gates; the decision must name one.", { status: 409 }),
  invalid_action: input("An approval's action is not approve, reject or abort."),
  fork_step_not_found: input("A fork names a step the original run does not have."),
  bookmark_not_found: input("A fork names a bookmark the original run does not have."),
  fork_point_ambiguous: input("A fork was given both a step and a bookmark to start from, or neither."),
  manifest_missing: input("The run records no manifest (it started before manifests, or not from a file) to verify against."),
  workflow_mismatch: input("A fork's workflow is not the original run's workflow."),
  secret_not_found: input("A secret the run reads is not set."),
  secret_too_short: input("A secret is too short to be redacted safely."),
  secret_in_journal: input("A value about to be journaled holds a secret; secrets are never journaled."),
  concurrency_key_failed: input("A workflow's concurrencyKey or priority function threw."),
  invalid_priority: input("A run's priority is not an integer."),
  store_closed: internal("The store was closed."),

  // ---- definitions: workflows, versions, queues, schedules ----
  invalid_workflow: definition("A workflow has no function, or sets concurrencyKey or priority without a queue."),
  invalid_workflow_name: definition("A workflow name uses characters other than letters, digits, _, ., :, / and -."),
  duplicate_workflow: definition("Two different workflows have the same name and version."),
  workflow_not_found: input("No workflow with this name is registered or exported."),
  version_not_found: input("The workflow has no registered version with this name."),
  version_mismatch: input("A run's workflow version is not the version the loaded code has."),
  invalid_queue: definition("A queue's limits are not positive integers."),
  duplicate_queue: definition("Two different queues have the same name."),
  invalid_schedule: definition("A schedule was not given a workflow made with workflow()."),
  invalid_schedule_name: definition("A schedule name uses characters other than letters, digits, _, ., :, / and -."),
  invalid_cron: definition("A schedule has no cron expression, or one that does not parse."),
  invalid_timezone: definition("A schedule's time zone is not a known IANA name."),
  invalid_catch_up: definition("A schedule's catchUp or maxCatchUp is invalid."),
  schedule_exhausted: definition("A schedule's cron has no fire time after now."),
  duplicate_schedule: definition("Two different schedules have the same name."),
  schedule_not_found: input("No schedule has this name."),
  invalid_retention: input("A retention policy is invalid."),
  archive_failed: storage("A retention archive could not be written; nothing was pruned.", retryable),
  archive_invalid: input("A file is not a readable duro archive."),
  worker_announce_failed: storage("A worker could not announce or retire itself in the live workers registry.", retryable),

  // ---- stores ----
  db_unavailable: storage("The database cannot be reached (down, restarting or unreachable).", retryable),
  db_busy: storage("The database gave up on a lock conflict.", retryable),
  db_full: storage("The disk holding the database is full.", retryable),
  db_auth_failed: storage("The database refused the login."),
  db_open_failed: storage("The database file cannot be opened."),
  db_file_missing: storage("The database file was deleted while the command ran."),
  db_file_replaced: storage("The database file was replaced by another file while the command ran."),
  storage_error: storage("The database failed in a way duro has no more precise code for."),
  db_not_found: input("There is no duro database at this path or URL."),
  db_invalid: input("The file or schema is not a duro database."),
  db_url_invalid: input("The database URL is not a valid SQLite path or PostgreSQL URL."),
  db_schema_invalid: input("The PostgreSQL schema name is not a valid duro schema name."),
  db_version_unsupported: input("The database was written by a newer duro."),
  invalid_cursor: input("A page cursor is not one this store returned."),
  invalid_limit: input("A page limit is not a positive integer."),
  invalid_sort: input("A runs listing was asked to sort by something other than created or updated."),
  invalid_time: input("A time is neither an ISO 8601 date or date-time nor a duration ago like 30m, 2h, 7d."),
  inbox_conflict: storage("An inbox message was already consumed by another commit; re-read the run and retry.", retryable),
  transaction_unsupported: definition("ctx.transaction needs a SQL store; the in-memory store has none."),
  transaction_closed: definition("A transaction client was used after its transaction ended."),
  invalid_transaction: input("The tx option is not a client with a transaction open on it."),

  // ---- the HTTP API ----
  not_found: input("The route or resource does not exist (or belongs to another tenant).", { status: 404 }),
  invalid_body: input("The request body does not match its schema."),
  invalid_arguments: input("The arguments of an MCP tool call do not match the tool's input schema."),
  invalid_query: input("The request's query does not match its schema."),
  invalid_url: input("The request URL has malformed percent-encoding."),
  invalid_seq: input("A journal seq in the request is not a non-negative integer."),
  body_malformed: input("The request body is not JSON."),
  body_too_deep: input("The request body nests too deep."),
  body_too_large: input("The request body is larger than the server accepts.", { status: 413 }),
  event_too_large: input("An event's payload is larger than the limit.", { status: 413 }),
  unsupported_media_type: input("The request body is not sent as application/json.", { status: 415 }),
  unauthorized: auth("The request has no valid API key."),
  forbidden: auth("The API key's role or tenant does not allow this action.", { status: 403 }),
  tenant_required: input("An all-tenants API key was used for something that belongs to one tenant (a new run, an event, a key)."),
  host_not_allowed: auth("The request's Host is not one the server answers to.", { status: 403 }),
  origin_not_allowed: auth("The request comes from a page of another origin.", { status: 403 }),
  invalid_role: input("An API key's role is not admin, operator or viewer."),
  invalid_tenant: input("A tenant name is not 1-63 characters of a-z, 0-9, - and _."),
  key_not_found: input("No API key has this id in this tenant."),
  invalid_link: auth("An approval link was altered or signed by another database."),
  invalid_link_expiry: input("An approval link's expiry is not between 0 and 30 days."),
  link_used: input("The approval link was already used.", { status: 410 }),
  link_expired: input("The approval link expired.", { status: 410 }),
  gate_not_found: input("The run does not wait for an approval with this name.", { status: 404 }),
  rate_limited: limit("The API key made too many requests this minute.", retryable),
  event_rate_limited: limit("The API key sent too many events this minute.", retryable),
  too_many_streams: limit("The server has as many open event streams as it allows.", { retryable: true, status: 503 }),
  stream_quota_exceeded: limit("The tenant or key has as many open event streams as it may.", retryable),
  not_ready: storage("The server cannot reach its database.", { status: 503 }),

  // ---- duro inside an app (duro/http) ----
  invalid_http_prefix: definition("duroHandler's prefix is not a path of segments like /duro."),
  invalid_caller: definition("An app's auth function returned a caller without a valid keyId, tenant or role."),
  durable_response_invalid: definition("A durable endpoint's handler returned neither a Response nor a JSON value."),

  // ---- the typed client (duro/client) ----
  server_unreachable: storage("The client got no answer from the server (connection refused, reset, DNS).", retryable),
  bad_response: storage(
    "The server's answer is not a duro API response (a proxy's error page, a cut-off body); retryable when its status is 5xx or 429.",
  ),
  result_timeout: limit("The run did not end within the timeout given to the client's result().", { retryable: true, status: 408 }),
  run_failed: step("The run the client waited for failed; the run's own error is the cause and details.error."),

  // ---- the command line ----
  usage: input("A command was given arguments it does not take."),
  unknown_flag: input("A command was given a flag it does not take."),
  file_not_found: input("A file named on the command line cannot be read."),
  file_required: input("The run was not started from a file, so the command needs one."),
  input_file_not_found: input("The @file given as input cannot be read."),
  input_malformed: input("The input given on the command line is not JSON."),
  input_too_deep: input("The input given on the command line nests too deep."),
  module_load_failed: input("A workflow module threw while it was loaded."),
  no_workflows: input("A file exports no workflow."),
  workflow_required: input("A file exports several workflows; the command needs one named."),
  mocks_detached: input("--mocks cannot be used with --detach."),
  port_invalid: input("--port is not a TCP port."),
  port_in_use: input("The port is used by another program."),
  key_exists: input("A signing key file already exists; keys are never overwritten."),

  // ---- flows ----
  flow_invalid: definition("A flow document has problems (listed in the error's details)."),
  flow_failed: step("A flow's fail node ended the run (when it sets no code of its own)."),
  missing_flow: definition("A flow node runs a flow that is not known."),
  missing_component: definition("A flow node calls a component that is not registered."),
  secret_not_declared: definition("A flow reads a secret its pack does not declare."),
  schema_file_invalid: input("A schema file referenced by a flow is not JSON or YAML."),
  expression_failed: step("A flow expression failed."),
  expression_timeout: limit("A flow expression ran longer than its time limit."),
  expression_too_deep: limit("A flow expression nested deeper than its limit (runaway recursion)."),
  expression_too_large: limit("A flow expression produced a value over its size limit."),
  loop_limit: limit("A flow loop would run more than its maxIterations."),
  map_too_large: limit("A flow map node was given more items than it maps."),
  validation_failed: step("A flow validate node's value does not match its schema."),
  bad_messages: step("An llm node's messages are not a list of { role, content }."),
  http_invalid_url: step("An http node's URL is not an http: or https: URL."),
  http_unreachable: step("An http node's request got no answer (DNS, connection).", retryable),
  http_status: step("An http node's request was answered with an error status; retried for 5xx and 429."),
  http_too_many_redirects: step("An http node's request was redirected too many times."),
  http_response_too_large: step("An http node's response body is over its limit."),
  capability_denied: step("A component or node needs a capability (network, file) it was not granted."),

  // ---- packs and components ----
  pack_not_found: input("The pack directory or file does not exist, or has no pack.yaml."),
  pack_invalid: input("The pack or its manifest is not valid."),
  pack_path_traversal: input("A pack entry climbs out of the pack with ..."),
  pack_absolute_path: input("A pack entry is an absolute path."),
  pack_symlink: input("A pack entry is a symbolic link."),
  pack_duplicate_entry: input("A pack holds the same file twice."),
  pack_too_many_files: input("A pack holds more files than the limit."),
  pack_too_large: input("A pack is larger than the limit."),
  pack_compression_ratio: input("A pack entry inflates more than the limit allows (a possible zip bomb)."),
  pack_zip_malformed: input("A pack file is not a readable zip archive, or is encrypted."),
  pack_file_unlisted: input("A pack holds a file its manifest does not list."),
  pack_file_missing: input("A pack's manifest lists a file the pack does not hold."),
  pack_tampered: input("A pack file does not match its digest: it changed after the pack was built."),
  pack_unsigned: auth("The pack is not signed, and the caller requires a signature."),
  pack_signature_invalid: auth("The pack's signature is invalid."),
  pack_untrusted_key: auth("The pack is signed by a key that is not trusted."),
  pack_key_invalid: input("A signing key cannot be read or is not an Ed25519 key."),
  component_load_failed: input("A pack component is not a valid module or cannot be loaded."),
  component_invalid: definition("A WebAssembly component is malformed or uses a memory duro does not run."),
  component_failed: step("A component crashed or stopped without a result."),
  component_aborted: step("A component was stopped because its step was aborted.", retryable),
  component_timeout: step("A component did not finish within its time limit.", retryable),
  component_memory_limit: limit("A component needs more memory than it may use."),
  component_output_invalid: step("A component did not write JSON on stdout."),
  component_output_too_large: step("A component wrote more than its output limit."),
  component_import_denied: definition(
    "A WASI preview 2 component imports an interface its capabilities do not allow; refused before it runs.",
  ),

  // ---- agents and LLMs ----
  llm_timeout: step("The LLM provider did not answer in time.", retryable),
  llm_unreachable: step("The LLM provider cannot be reached.", retryable),
  llm_invalid_response: step("The LLM provider's answer cannot be read.", retryable),
  llm_rate_limited: step("The LLM provider answered 429.", retryable),
  llm_server_error: step("The LLM provider answered with a 5xx status.", retryable),
  llm_auth_failed: auth("The LLM provider refused the API key (401 or 403)."),
  llm_request_failed: step("The LLM provider refused the request (a 4xx status)."),
  unknown_model_provider: definition("A model name names no registered provider."),
  invalid_schema: definition("A JSON Schema given to the agent toolkit does not compile."),
  schema_invalid: step("An LLM's reply does not match its responseSchema, even after repair."),
  agent_toolkit_missing: definition("ctx.agent was used on a context its engine built without the agent extension."),
  agent_without_task: definition("An agent was given neither a prompt nor messages."),
  workspace_path_outside: input("A workspace file path is absolute, leads out with .., or passes a symlink out of the workspace."),
  workspace_file_not_found: input("The workspace has no such file.", { status: 404 }),
  workspace_mismatch: step("A resumed run's workspace file differs from the last write its journal records."),
  patch_invalid: input("The text given to apply_patch is not a unified diff."),
  patch_failed: input("A hunk of the patch does not match the file it is for.", { status: 409 }),
  tool_without_run: definition("A tool has no `run` function and is not declared `external: true`."),
  limit_exceeded: limit("A run's budget (tokens, cost, calls) is spent."),
  persona_missing: definition("A phase template needs a persona it was not given."),
  phase_aborted: step("A phase's reviewer aborted the run."),
  phase_rejected: step("A phase was rejected as many times as its maxAttempts."),

  // ---- testing: mocks and cassettes ----
  mock_unmatched: input("A call has no mock, and the mocks allow no real call."),
  mocks_not_found: input("The mocks file cannot be read."),
  mocks_invalid: input("The mocks file is not valid."),
  mocks_changed: input("The mocks differ from those the run was started with."),
  mocks_not_recorded: input("The run was started without mocks; resuming it with mocks would mix real and mocked calls."),
  mock_script_not_found: input("The mock LLM script cannot be read."),
  mock_script_invalid: input("The mock LLM script is not valid."),
  cassette_invalid: input("A file is not a duro cassette."),
} as const satisfies Record<string, ErrorCodeSpec>;

/** A code from the table: passing one that is not there is a compile error. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The table's row for `code`, or undefined for a code duro does not know (an application's own, an older version's). */
export function errorCodeSpec(code: string): ErrorCodeSpec | undefined {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode] : undefined;
}

/** Whether `code` is one of duro's. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

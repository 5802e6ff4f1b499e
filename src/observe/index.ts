export { describeResolution, describeWho } from "./attribution.js";
export { type TraceRunOptions, traceRun } from "./otel.js";
export { exportRunOverOtlp, otlpConfigured } from "./otlp.js";
export { escapeControls, plain } from "./printable.js";
export {
  DEFAULT_SECRET_KEYS,
  DEFAULT_VALUE_PATTERNS,
  MIN_SECRET_LENGTH,
  REDACTED,
  type Redacted,
  type RedactionPolicy,
  Redactor,
  redact,
} from "./redact.js";
export { REFUSAL_FILE, type Refusal, writeRefusalFolder } from "./refusal.js";
export {
  buildRunFolder,
  type DecisionSummary,
  type FailureSummary,
  type JournalSource,
  MOCKS_FILE,
  type RunFolder,
  type RunOutcome,
  type RunSummary,
  readJournal,
  runFolderPath,
  type StepSummary,
  writeRunFolder,
} from "./run-folder.js";
export { SECRET_SHAPES, type SecretShape } from "./secret-shapes.js";
export { SecretVault, type SecretVaultOptions, secretGuard, secretsSetup } from "./secrets.js";
export { formatTimeline, packSentence } from "./timeline.js";
export {
  buildTranscript,
  HitLocator,
  hitsOf,
  type MockHit,
  type Transcript,
  type TranscriptLine,
  type TranscriptPhase,
} from "./transcript.js";

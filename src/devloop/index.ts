// duro/devloop: the local dev loop around a run (mocks, run folder, cassette, tracing) and resuming such a run with
// the same files and mocks. The CLI's `duro run` and `duro resume` are built on it; user scripts can be too.

export { type ResumePlan, refreshRunFolder, resumePlan } from "./resume.js";
export { type RecordedMocks, recordMocks } from "./run-mocks.js";
export { type DevSession, type DevSessionOptions, devSession } from "./session.js";

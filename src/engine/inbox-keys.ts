// Inbox keys of the waits the engine resolves itself. Approvals, answers and child results travel through
// the same inbox as user events, so one mechanism delivers them durably, before or after the run waits.

export const approvalKey = (runId: string, waitKey: string) => `duro:approval:${runId}:${waitKey}`;
export const askKey = (runId: string, waitKey: string) => `duro:ask:${runId}:${waitKey}`;
export const childKey = (childRunId: string) => `duro:child:${childRunId}`;
export const toolKey = (runId: string, waitKey: string) => `duro:tool:${runId}:${waitKey}`;

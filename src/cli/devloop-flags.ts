// The flags `duro run` takes for the dev loop; kept apart from devloop.ts so that other commands do not load it.

export const DEV_RUN_FLAGS = {
  "artifacts-dir": { type: "string" },
  mocks: { type: "string" },
  record: { type: "string" },
} as const;

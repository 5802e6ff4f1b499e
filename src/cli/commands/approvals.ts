// `duro approvals link`: a signed, expiring, single-use URL that approves or rejects one gate without an API key.
// `duro approvals pending`: what waiting runs ask for (approvals, questions, external tool calls).

import type { CliCommand } from "../command.js";
import { EXIT, openDb, output, parse, requirePositional, usage } from "../common.js";
import { listPendingWaits } from "../pending.js";

export const approvalsCommand: CliCommand = {
  name: "approvals",
  run: async ([sub, ...rest]) => {
    if (sub === "pending") return listPendingWaits(rest);
    if (sub !== "link") throw usage(`unknown "approvals ${sub ?? ""}"; use approvals pending, or approvals link <runId> <gate>`);
    return link(rest);
  },
};

async function link(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { expires: { type: "string" }, "base-url": { type: "string" } });
  const runId = requirePositional(positionals, 0, "the run id: duro approvals link <runId> <gate>");
  const gate = requirePositional(positionals, 1, "the gate: duro approvals link <runId> <gate>");
  const out = output(values.json);
  const base = (values["base-url"] ?? process.env.DURO_BASE_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
  const store = openDb(values.db);
  try {
    const run = await store.getRun(runId);
    if (!run) throw usage(`no run with id "${runId}"; list runs with duro runs list`);
    const { DEFAULT_LINK_TTL, signLink } = await import("../../server/index.js");
    const { token, expiresAt } = await signLink(store, { runId, gate, tenant: run.tenant }, values.expires ?? DEFAULT_LINK_TTL, Date.now());
    const url = `${base}/approve/${token}`;
    out.data({ url, expiresAt: new Date(expiresAt).toISOString() });
    out.print(`${url}\n(works once, until ${new Date(expiresAt).toISOString()}; it opens a page to approve or reject "${gate}")`);
  } finally {
    await store.close();
  }
  return EXIT.ok;
}

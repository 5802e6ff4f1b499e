// Through the API, on SQLite and PostgreSQL: a run of a signed pack's flow journals pack_verified right after
// run_created (the verifying key, the pack.yaml digest), and a flow document's timeout fails its run with run_timeout.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flowWorkflow, type JournalEvent, parseFlow } from "../../src/index.js";
import { loadWorkflowFile } from "../../src/load/index.js";
import { REPO_ROOT } from "../support/cli.js";
import { json, testServer } from "./support.js";

const PACK = join(REPO_ROOT, "examples", "packs", "support-triage");
const PUBKEY = join(REPO_ROOT, "examples", "packs", "keys", "support-triage.demo.pub.pem");
const timed = flowWorkflow(parseFlow("id: timed-flow\ntimeout: 150ms\nnodes:\n  wait: { wait: { event: never-sent } }\n"));

describe.each(["sqlite", "postgres"] as const)("packs and flows over the API on %s", (backend) => {
  it("a run of a signed pack's flow started with POST /v1/runs journals pack_verified after run_created", async () => {
    const pack = await loadWorkflowFile(PACK, { trustedKeys: [PUBKEY] });
    const s = await testServer({}, undefined, backend, pack.workflows);
    const id = await s.startSettled(pack.defaultWorkflow?.name as string, { subject: "Invoice question", body: "charged twice?" });

    const { events } = await json<{ events: JournalEvent[] }>(await s.call("GET", `/v1/runs/${id}/events`, { token: s.keys.acmeViewer }));
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(["run_created", "pack_verified"]);
    expect(events[1]).toMatchObject({ packId: "examples.support-triage", keyId: "ed25519:4507876effdca4de" });
    expect(events[1]).not.toHaveProperty("unsigned");
  });

  it("a flow whose document sets timeout fails with run_timeout once past it", async () => {
    const s = await testServer({}, undefined, backend, [timed]);
    const id = await s.startSettled("timed-flow", {});
    const waiting = await json(await s.call("GET", `/v1/runs/${id}`, { token: s.keys.acmeViewer }));
    expect(waiting.status).toBe("waiting");
    // The deadline is 150 ms after the start: the only real wait in this file.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await s.settle(id);
    const failed = await json(await s.call("GET", `/v1/runs/${id}`, { token: s.keys.acmeViewer }));
    expect([failed.status, failed.error?.code]).toEqual(["failed", "run_timeout"]);
  });
});

// GET /v1/artifacts and /v1/artifacts/{hash}: artifacts runs stored with ctx.artifact, found by run, tag and name,
// read back with a content type, and visible to a tenant only through its own runs (on SQLite and PostgreSQL).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { json, testServer } from "./support.js";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe.each(["sqlite", "postgres"] as const)("artifacts over the API on %s", (backend) => {
  it("lists a run's artifacts by run, tag and name, serves their bytes, and hides them from another tenant", async () => {
    const s = await testServer({}, undefined, backend);
    const runId = await s.startSettled("reporting", { title: "q3" });
    const other = await s.startSettled("reporting", { title: "q4" }, s.keys.globexAdmin);
    const report = sha("# q3\n");

    const byRun = await json(await s.call("GET", `/v1/artifacts?run=${runId}`, { token: s.keys.acmeViewer }));
    expect(byRun.artifacts).toHaveLength(2);
    expect(byRun.artifacts).toContainEqual({
      sha256: report,
      name: "report.md",
      tags: ["q3", "report"],
      size: 5,
      runs: [runId],
      createdAt: expect.any(Number),
    });
    const byTag = await json(await s.call("GET", "/v1/artifacts?tag=report", { token: s.keys.acmeViewer }));
    expect(byTag.artifacts.map((a: { sha256: string }) => a.sha256)).toEqual([report]);
    const byName = await json(await s.call("GET", "/v1/artifacts?name=report.md", { token: s.keys.globexAdmin }));
    expect(byName.artifacts.map((a: { runs: string[] }) => a.runs)).toEqual([[other]]);

    const bytes = await s.call("GET", `/v1/artifacts/${report}`, { token: s.keys.acmeViewer });
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(await bytes.text()).toBe("# q3\n");
    const data = await s.call("GET", `/v1/artifacts/${sha(JSON.stringify({ title: "q3" }))}`, { token: s.keys.acmeViewer });
    expect([data.headers.get("content-type"), await data.json()]).toEqual(["application/json", { title: "q3" }]);

    // globex ran "q4", not "q3": acme's report is not globex's, and looks exactly like a hash nobody stored.
    const foreign = await s.call("GET", `/v1/artifacts/${report}`, { token: s.keys.globexAdmin });
    const missing = await s.call("GET", `/v1/artifacts/${"0".repeat(64)}`, { token: s.keys.globexAdmin });
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    expect((await json(foreign)).error.code).toBe("artifact_not_found");
    expect((await json(missing)).error.code).toBe("artifact_not_found");
    expect((await json(await s.call("GET", `/v1/artifacts?run=${runId}`, { token: s.keys.globexAdmin }))).artifacts).toEqual([]);
  });

  it("refuses a malformed hash and an unknown filter with 400", async () => {
    const s = await testServer({}, undefined, backend);
    const bad = await s.call("GET", "/v1/artifacts/not-a-hash", { token: s.keys.acmeViewer });
    expect([bad.status, (await json(bad)).error.code]).toEqual([400, "invalid_artifact_hash"]);
    const unknown = await s.call("GET", "/v1/artifacts?colour=red", { token: s.keys.acmeViewer });
    expect(unknown.status).toBe(400);
  });
});

// Bookmarks and domain events over the API: GET /v1/runs/{id}/bookmarks, POST /v1/runs/{id}/fork from a bookmark
// (running only what follows it), domain events on the SSE journal stream. On SQLite and PostgreSQL.
import { describe, expect, it } from "vitest";
import { json, testServer } from "./support.js";
import { drafts } from "./workflows.js";

describe.each(["sqlite", "postgres"] as const)("bookmarks over the API on %s", (backend) => {
  it("lists a run's bookmarks and forks from one: the fork replays the draft and asks for the approval anew", async () => {
    const s = await testServer({}, undefined, backend);
    drafts.count = 0;
    const id = await s.startSettled("milestones", { title: "Q3" });
    const listed = await s.call("GET", `/v1/runs/${id}/bookmarks`, { token: s.keys.acmeViewer });
    expect(listed.status).toBe(200);
    expect((await json(listed)).bookmarks).toEqual([
      { name: "drafted", ref: "drafted#0", seq: expect.any(Number), at: expect.any(String), after: "draft#0" },
    ]);
    await s.call("POST", `/v1/runs/${id}/approvals/editor`, { token: s.keys.acmeOperator, body: { action: "approve" } });
    await s.settle(id);

    const forked = await s.call("POST", `/v1/runs/${id}/fork`, { token: s.keys.acmeAdmin, body: { fromBookmark: "drafted" } });
    expect(forked.status).toBe(201);
    const fork = await json(forked);
    expect(fork).toMatchObject({ workflow: "milestones", status: "queued", bookmarks: [{ name: "drafted" }] });
    await s.settle(fork.id);
    const waiting = await json(await s.call("GET", `/v1/runs/${fork.id}`, { token: s.keys.acmeViewer }));
    expect(waiting).toMatchObject({ status: "waiting", waits: [{ key: "editor#0", kind: "approval" }] });
    expect(drafts.count).toBe(1);
  });

  it("a fork keeps its origin's session and names whoever forked it as its actor", async () => {
    const s = await testServer({}, undefined, backend);
    const started = await s.call("POST", "/v1/runs", {
      token: s.keys.acmeAdmin,
      body: { workflow: "milestones", input: { title: "Q1" }, session: "chat-7", actor: "ada" },
    });
    const origin = await json(started);
    expect(origin).toMatchObject({ session: "chat-7", actor: "ada" });
    await s.settle(origin.id);
    // The admin key's own actor, as the API records it for a run started without one.
    const keysOwn = await json(await s.call("POST", "/v1/runs", { token: s.keys.acmeAdmin, body: { workflow: "survey" } }));
    const forked = await s.call("POST", `/v1/runs/${origin.id}/fork`, { token: s.keys.acmeAdmin, body: { fromBookmark: "drafted" } });
    expect(forked.status).toBe(201);
    expect(await json(forked)).toMatchObject({ session: "chat-7", actor: keysOwn.actor });
    expect(keysOwn.actor).not.toBe("ada");
  });

  it("refuses a fork from an unknown bookmark (400 at body.fromBookmark), with a step too, by a viewer or of another tenant's run", async () => {
    const s = await testServer({}, undefined, backend);
    const id = await s.startSettled("milestones", { title: "Q4" });
    const fork = (body: unknown, token = s.keys.acmeAdmin) => s.call("POST", `/v1/runs/${id}/fork`, { token, body });
    const unknown = await fork({ fromBookmark: "nope" });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error).toMatchObject({
      code: "bookmark_not_found",
      details: { path: "body.fromBookmark", known: ["drafted#0"] },
    });
    const both = await fork({ fromBookmark: "drafted", fromStep: "draft" });
    expect(both.status).toBe(400);
    expect((await json(both)).error.code).toBe("fork_point_ambiguous");
    expect((await fork({ fromBookmark: "drafted" }, s.keys.acmeViewer)).status).toBe(403);
    expect((await fork({ fromBookmark: "drafted" }, s.keys.globexAdmin)).status).toBe(404);
    expect((await s.call("GET", `/v1/runs/${id}/bookmarks`, { token: s.keys.globexAdmin })).status).toBe(404);
  });

  it("a run started through the API records the manifest of the file that defines its workflow", async () => {
    const manifest = { codeHash: "sha256:00ff", source: "/srv/flows/milestones.ts", duroVersion: "0.1.0", host: "api-1" };
    const s = await testServer({ manifestOf: (workflow) => (workflow === "milestones" ? manifest : undefined) }, undefined, backend);
    const started = await s.call("POST", "/v1/runs", { token: s.keys.acmeAdmin, body: { workflow: "milestones", input: { title: "Q2" } } });
    expect(started.status).toBe(201);
    expect(await json(started)).toMatchObject({ manifest });
    const other = await json(await s.call("POST", "/v1/runs", { token: s.keys.acmeAdmin, body: { workflow: "survey" } }));
    expect(other.manifest).toBeUndefined();
  });

  it("streams the domain event and the bookmark over the journal's SSE stream", async () => {
    const s = await testServer({}, undefined, backend);
    const id = await s.startSettled("milestones", { title: "Q1" });
    await s.call("POST", `/v1/runs/${id}/approvals/editor`, { token: s.keys.acmeOperator, body: { action: "approve" } });
    await s.settle(id);
    const base = await s.listen();
    const response = await fetch(`${base}/v1/runs/${id}/stream`, { headers: { authorization: `Bearer ${s.keys.acmeViewer}` } });
    const text = await response.text();
    const journal = text
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => JSON.parse(line.slice("data: ".length)) as { type: string; name?: string; data?: unknown });
    expect(journal.filter((e) => e.type === "domain_event")).toEqual([
      expect.objectContaining({ name: "draft.ready", data: { title: "Q1" } }),
    ]);
    expect(journal.filter((e) => e.type === "bookmark")).toEqual([expect.objectContaining({ name: "drafted" })]);
  });
});

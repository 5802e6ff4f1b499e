// The client's result() and events() outlive their server: `duro serve` is SIGKILLed mid-wait and started again on
// the same port and database (a SQLite file, and a PostgreSQL schema), and both pick up through Last-Event-ID.
import { join } from "node:path";
import { createClient, type JournalEvent } from "duro/client";
import { afterEach, expect, it } from "vitest";
import { expense } from "../server/workflows.js";
import { freshDir, removeTempDirs } from "../support/cli.js";
import { until } from "../support/poll.js";
import { freshPgUrl } from "../support/postgres.js";
import { createKeys, recordingFetch, type ServeProcess, serve } from "./support.js";

const servers: ServeProcess[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  removeTempDirs();
});

const DATABASES = {
  sqlite: (cwd: string) => `sqlite:${join(cwd, "duro.db")}`,
  postgres: () => freshPgUrl(),
};

it.each(Object.entries(DATABASES))(
  "on %s, result() and events() survive a SIGKILL and restart of the server mid-wait",
  async (_name, database) => {
    const cwd = freshDir("duro-client-restart-");
    const db = database(cwd);
    const keys = await createKeys(db, cwd);
    const first = await serve(db, cwd);
    servers.push(first);
    const recorded = recordingFetch();
    const client = createClient({ baseUrl: first.url, apiKey: keys.admin, fetch: recorded.fetch, maxReconnectPauseMs: 100 });

    const started = await client.start(expense, { amount: 7 });
    await until(
      () => client.get(started.id),
      (run) => run.status === "waiting",
      "the run to wait for its manager",
    );
    const events: JournalEvent[] = [];
    const following = (async () => {
      for await (const event of client.events(started.id)) events.push(event);
    })();
    let settled = false;
    const result = started.result().finally(() => {
      settled = true;
    });
    // Both streams are open (answered) and events() has read the journal so far.
    await until(
      async () => recorded.answered.filter((url) => url.endsWith("/stream")).length,
      (n) => n === 2,
      "result() and events() to open their streams",
    );
    await until(
      async () => events.at(-1)?.type,
      (type) => type === "wait_started",
      "events() to catch up",
    );
    const seenBeforeKill = events.length;

    await first.kill();
    const requestsWhileDown = recorded.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(recorded.requests.length).toBeGreaterThan(requestsWhileDown); // it kept trying while the server was away
    expect(settled).toBe(false);

    const second = await serve(db, cwd, first.port);
    servers.push(second);
    await client.approve(started.id, "manager", { comment: "after the restart" });

    expect(await result).toEqual({ paid: true, amount: 7, comment: "after the restart" });
    await following;
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
    expect(events.length).toBeGreaterThan(seenBeforeKill);
    expect(events.at(-1)?.type).toBe("run_completed");
    // Every stream opened after the kill resumed after what the client had (result's from the run's lastSeq on).
    const reopened = recorded.requests.filter((r) => r.url.endsWith("/stream")).slice(2);
    expect(reopened.length).toBeGreaterThan(0);
    for (const request of reopened) expect(Number(request.headers["last-event-id"])).toBeGreaterThan(0);
  },
  60_000,
);

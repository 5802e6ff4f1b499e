// The web UI in real headless Chromium against the real `duro serve` on a temporary SQLite database: the inbox, the
// run page's timeline (parallel steps, a retry, waits, markers, 10,000 steps), the child tree, a flow's graph, forking
// from a step chosen on the timeline, filters kept in the URL and applied by the server, the tenant filter of an
// all-tenants key, resuming (raising a suspended run's limits, retrying a failed run from its failed step) and a code
// step's detail. Screenshots go to test-output/screenshots/.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EventBody, newRunId } from "../../src/core/index.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { type MockLlmServer, startMockLlm } from "../../src/testing/mock-llm.js";
import { DURO_BIN, duroJson, freshDir, REPO_ROOT, removeTempDirs } from "../support/cli.js";
import { mockLlmEnv } from "../support/llm.js";

const CHROMIUM = "/usr/bin/chromium";
const OUTPUT = join(REPO_ROOT, "test-output", "screenshots");
const WORKFLOWS = join(REPO_ROOT, "test", "server", "workflows.ts");
const EXPLORER = join(REPO_ROOT, "test", "e2e", "fixtures", "explorer.ts");
const ROUTING = join(REPO_ROOT, "test", "e2e", "fixtures", "routing.yaml");
const AGENT_BUDGET = join(REPO_ROOT, "test", "support", "workflows", "agent-budget.ts");
/** $0.25 a call: two calls spend the budget of agent-budget, the third answers. */
const SPEND = { toolCalls: [{ name: "noop", arguments: {} }], usage: { inputTokens: 500, outputTokens: 500 } };

describe.runIf(existsSync(CHROMIUM))("web UI in Chromium", { timeout: 90_000 }, () => {
  let browser: Browser;
  let server: ChildProcess;
  let url: string;
  let token: string;
  let globexToken: string;
  let allTenantsToken: string;
  let dbPath: string;
  let llm: MockLlmServer;

  const auth = () => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });
  async function start(workflow: string, input: unknown = {}, key = token): Promise<string> {
    const response = await fetch(`${url}/v1/runs`, {
      method: "POST",
      headers: { ...auth(), authorization: `Bearer ${key}` },
      body: JSON.stringify({ workflow, input }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }
  async function getJson<T>(path: string): Promise<T> {
    return (await (await fetch(`${url}${path}`, { headers: auth() })).json()) as T;
  }
  async function until<T>(what: () => Promise<T | undefined>, label: string): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const value = await what();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${label}`);
  }
  const settled = (id: string, status = "completed") =>
    until(async () => ((await getJson<{ status: string }>(`/v1/runs/${id}`)).status === status ? true : undefined), `${id} ${status}`);
  async function signedIn(hash = "", key = token): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await page.fill("#key", key);
    await page.click("#key-form button");
    if (hash) await page.goto(`${url}/${hash}`);
    return page;
  }

  beforeAll(async () => {
    const dir = freshDir("duro-e2e-");
    dbPath = join(dir, "duro.db");
    const db = `sqlite:${dbPath}`;
    const newKey = async (...args: string[]) =>
      (await duroJson<{ token: string }>(["keys", "create", ...args, "--role", "admin", "--db", db], { cwd: dir })).token;
    token = await newKey("--tenant", "acme");
    globexToken = await newKey("--tenant", "globex");
    allTenantsToken = await newKey("--all-tenants");
    llm = await startMockLlm({ replies: [SPEND, SPEND, { content: "done", usage: { inputTokens: 500, outputTokens: 500 } }] });
    server = spawn(process.execPath, [DURO_BIN, "serve", WORKFLOWS, EXPLORER, ROUTING, AGENT_BUDGET, "--db", db, "--port", "0", "--json"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, ...mockLlmEnv(llm.url) },
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = "";
      server.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        const match = /"url":\s*"([^"]+)"/.exec(out);
        if (match) resolve(match[1] as string);
      });
      server.once("exit", (code) => reject(new Error(`duro serve exited with ${code}: ${out}`)));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    mkdirSync(OUTPUT, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await llm?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    removeTempDirs();
  });

  it("approving in the inbox lets the run page reach completed live", async () => {
    const started = await fetch(`${url}/v1/runs`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ workflow: "expense", input: { amount: 250 } }),
    });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };

    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(url);
    await page.fill("#key", token);
    await page.click("#key-form button");
    // The runs list updates live: the run shows up as waiting once the server's worker has suspended it.
    await page.waitForSelector(`tr[data-run="${id}"] [data-status="waiting"]`);
    await page.screenshot({ path: join(OUTPUT, "runs-list.png"), fullPage: true });

    await page.click('a[data-nav="inbox"]');
    const card = page.locator(`article.wait[data-run="${id}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain("pay 250 EUR");
    await card.locator("textarea").fill("looks right");
    // Another run comes to wait: the inbox reloads live, and the comment being typed must survive it.
    const other = await fetch(`${url}/v1/runs`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ workflow: "expense", input: { amount: 99 } }),
    });
    const { id: otherId } = (await other.json()) as { id: string };
    await page.locator(`article.wait[data-run="${otherId}"]`).waitFor();
    expect(await card.locator("textarea").inputValue()).toBe("looks right");
    await page.screenshot({ path: join(OUTPUT, "inbox.png"), fullPage: true });
    await card.locator("button.approve").click();

    // The UI goes to the run page, which follows the journal stream until the run completes.
    await page.waitForURL(`**/#/runs/${id}`);
    await page.waitForSelector('#run-status [data-status="completed"]');
    await page.waitForSelector('.tl-lane[data-key="pay#0"] .tl-bar[data-outcome="completed"]');
    await page.screenshot({ path: join(OUTPUT, "run-page.png"), fullPage: true });
    expect(await page.textContent("#summary")).toContain("looks right");

    const run = (await (await fetch(`${url}/v1/runs/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      status: string;
      output: unknown;
    };
    expect(run).toMatchObject({ status: "completed", output: { paid: true, amount: 250, comment: "looks right" } });
    for (const file of ["runs-list.png", "inbox.png", "run-page.png"]) expect(existsSync(join(OUTPUT, file))).toBe(true);
  });

  it("a pending external tool call is an inbox card; once the host posts its result the timeline shows the bookmark", async () => {
    const id = await start("handoff", { path: "plan.md" });
    const page = await signedIn("#/inbox");
    const card = page.locator(`article.wait[data-run="${id}"]`);
    await card.waitFor();
    const text = await card.textContent();
    expect(text).toContain("Tool call: open_file");
    expect(text).toContain("call id call_1");
    expect(text).toContain("plan.md");
    await page.screenshot({ path: join(OUTPUT, "inbox-tool-call.png"), fullPage: true });

    const posted = await fetch(`${url}/v1/runs/${id}/tool-calls/call_1`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ result: { lines: 12 } }),
    });
    expect(posted.status).toBe(202);
    await settled(id);
    await page.goto(`${url}/#/runs/${id}`);
    await page.waitForSelector('#run-status [data-status="completed"]');
    await page.waitForSelector('.tl-marker[data-marker="bookmark"][data-name="planned"]');
    expect(await getJson<{ output: unknown }>(`/v1/runs/${id}`)).toMatchObject({ output: { opened: { result: { lines: 12 } } } });
  });

  it("the status filter shows a failed run, whose page highlights the failing step with its error", async () => {
    const started = await fetch(`${url}/v1/runs`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ workflow: "failing", input: {} }),
    });
    const { id } = (await started.json()) as { id: string };
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(url);
    await page.fill("#key", token);
    await page.click("#key-form button");
    await page.selectOption('#run-filters select[name="status"]', "failed");
    await page.click('#run-filters button[type="submit"]');
    await page.waitForSelector(`tr[data-run="${id}"] [data-status="failed"]`);
    expect(await page.locator("tr[data-run]").count()).toBe(1);

    await page.click(`tr[data-run="${id}"] a`);
    const failing = page.locator('.tl-lane[data-key="charge#0"] .tl-bar[data-outcome="failed"]');
    await failing.waitFor();
    await failing.hover();
    expect(await page.textContent("#tl-tooltip")).toContain("card declined");
    expect(await page.textContent("#summary")).toContain("card declined");
    await page.screenshot({ path: join(OUTPUT, "failed-run.png"), fullPage: true });
  });

  it("the timeline shows parallel steps in overlapping lanes, a retry with its backoff, the waits and the child tree", async () => {
    const id = await start("explorer");
    await settled(id);
    const page = await signedIn(`#/runs/${id}`);
    await page.waitForSelector('#run-status [data-status="completed"]');
    await page.waitForSelector('.tl-lane[data-key="report#0"] .tl-bar[data-kind="child"]');

    // Parallel: two lanes whose bars overlap on the time axis.
    const left = await page.locator('.tl-lane[data-key="left#0"] .tl-bar').boundingBox();
    const right = await page.locator('.tl-lane[data-key="right#0"] .tl-bar').boundingBox();
    expect(left && right && left.x < right.x + right.width && right.x < left.x + left.width && left.y !== right.y).toBe(true);
    // The retry: a failed attempt, the backoff, then the attempt that completed.
    const flaky = page.locator('.tl-lane[data-key="flaky#0"] .tl-bar');
    expect(await flaky.evaluateAll((bars) => bars.map((b) => `${b.dataset.kind}:${b.dataset.outcome}:${b.dataset.attempt ?? ""}`))).toEqual(
      ["step:failed:1", "backoff:backoff:", "step:completed:2"],
    );
    expect(await page.getAttribute('.tl-lane[data-key="cool-down#0"] .tl-bar', "data-kind")).toBe("timer");
    // A redraw of the timeline (the journal arriving live) replaces the bars under the pointer: hover again then.
    let tip: string | null = null;
    for (let tries = 0; tries < 20 && !tip?.includes("attempt 1"); tries++) {
      await flaky.first().hover();
      tip = await page.textContent("#tl-tooltip");
      if (!tip?.includes("attempt 1")) await page.waitForTimeout(100);
    }
    expect(tip).toContain("attempt 1");
    expect(tip).toContain(`idempotency key ${id}:flaky#0`);
    expect(tip).toContain("the first attempt fails");

    // Clicking a lane opens the step: its attempts and its output.
    await page.click('.tl-lane[data-key="flaky#0"] .tl-label');
    await page.waitForSelector('#step-detail[data-key="flaky#0"] tr[data-outcome="failed"]');
    // The attempts come with the step's first draw; its output may be drawn a moment later.
    await page.locator("#step-detail", { hasText: '"ok": true' }).waitFor();
    expect(await page.textContent("#step-detail")).toContain('"ok": true');

    // The child tree: the child with its status, expandable in place (it has no children of its own).
    const child = page.locator("#children li[data-run]");
    await child.locator('[data-status="completed"]').waitFor();
    await child.locator("button.expand").click();
    await child.getByText("no children").waitFor();
    await page.screenshot({ path: join(OUTPUT, "run-page-timeline.png"), fullPage: true });
    mkdirSync(join(REPO_ROOT, "docs", "img"), { recursive: true });
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: join(OUTPUT, "run-page-readme.png") });
    if (process.env.DURO_UPDATE_SCREENSHOTS)
      copyFileSync(join(OUTPUT, "run-page-readme.png"), join(REPO_ROOT, "docs", "img", "run-page.png"));
  });

  it("forking from a step chosen on the timeline starts a new run from that step", async () => {
    const id = await start("explorer");
    await settled(id);
    const page = await signedIn(`#/runs/${id}`);
    await page.click('.tl-lane[data-key="flaky#0"] .tl-label');
    await page.click("#step-detail button.fork");
    await page.waitForURL((u) => /#\/runs\/[^/]+$/.test(u.hash) && !u.hash.endsWith(id));
    const forkId = decodeURIComponent(new URL(page.url()).hash.replace("#/runs/", ""));
    await settled(forkId);
    await page.waitForSelector('#run-status [data-status="completed"]');
    const events = (
      await getJson<{ events: Array<{ type: string; key?: string; options?: Record<string, unknown> }> }>(`/v1/runs/${forkId}/events`)
    ).events;
    expect(events[0]?.options).toMatchObject({ forkedFrom: id, forkStep: "flaky#0" });
    // The journal before the chosen step was copied (load#0 once); the chosen step ran again in the fork.
    expect(events.filter((e) => e.type === "step_started" && e.key === "load#0")).toHaveLength(1);
    expect(events.filter((e) => e.type === "step_completed" && e.key === "flaky#0")).toHaveLength(1);
    await page.screenshot({ path: join(OUTPUT, "fork.png"), fullPage: true });
  });

  it("a flow run shows its graph with the path taken and the node it waits on; the workflows page draws it too", async () => {
    const id = await start("routing", { amount: 500 });
    await settled(id, "waiting");
    const page = await signedIn(`#/runs/${id}`);
    await page.waitForSelector('#flow [data-node="review"][data-state="waiting"]');
    for (const node of ["classify", "route"]) expect(await page.getAttribute(`#flow [data-node="${node}"]`, "data-state")).toBe("visited");
    expect(await page.getAttribute('#flow [data-node="auto"]', "data-state")).toBe("unvisited");
    expect(await page.getAttribute('#flow .edge[data-from="route"][data-to="review"]', "class")).toContain("taken");
    expect(await page.getAttribute('#flow .edge[data-from="route"][data-to="auto"]', "class")).not.toContain("taken");
    await page.screenshot({ path: join(OUTPUT, "flow-run.png"), fullPage: true });

    await page.click('a[data-nav="workflows"]');
    await page.click('tr[data-workflow="routing"] a');
    await page.waitForSelector('#workflows svg.flow-graph [data-node="done"]');
    expect(await page.locator("#workflows svg.flow-graph .edge").count()).toBe(5);
    await page.screenshot({ path: join(OUTPUT, "workflow-graph.png"), fullPage: true });
  });

  it("filters round-trip through the URL: applied, reloaded, and undone with back", async () => {
    const done = await start("explorer");
    await settled(done);
    const page = await signedIn("#/runs");
    await page.waitForSelector(`tr[data-run="${done}"]`);
    await page.selectOption('#run-filters select[name="status"]', "completed");
    await page.fill('#run-filters input[name="workflow"]', "explorer");
    await page.selectOption('#run-filters select[name="sort"]', "updated");
    await page.click('#run-filters button[type="submit"]');
    await page.waitForURL((u) => u.hash === "#/runs?status=completed&workflow=explorer&sort=updated");
    await page.waitForSelector(`tr[data-run="${done}"]`);
    const shown = await page.locator("tr[data-run] td:nth-child(2)").allTextContents();
    expect(new Set(shown)).toEqual(new Set(["explorer"]));

    await page.reload();
    await page.waitForSelector(`tr[data-run="${done}"]`);
    expect(await page.inputValue('#run-filters select[name="status"]')).toBe("completed");
    expect(await page.inputValue('#run-filters input[name="workflow"]')).toBe("explorer");
    await page.screenshot({ path: join(OUTPUT, "runs-filtered.png"), fullPage: true });

    await page.goBack();
    await page.waitForURL((u) => u.hash === "#/runs");
    expect(await page.inputValue('#run-filters select[name="status"]')).toBe("");
  });

  it("a 10,000-step run renders (only the lanes in view are drawn), bookmarks and domain events as markers", async () => {
    const store = openSqliteStore(dbPath);
    const write = async (events: EventBody[]) => {
      const id = newRunId(Date.now(), randomBytes(16));
      await store.createRun({
        id,
        workflow: "bulk",
        version: "1",
        input: {},
        tenant: "acme",
        options: {},
        readyAt: Number.MAX_SAFE_INTEGER,
      });
      const lease = await store.claimRun(id, "e2e", 60_000);
      if (!lease) throw new Error("no lease");
      await store.append(id, events, { lease, expectedSeq: 1, release: true });
      return id;
    };
    const steps: EventBody[] = [];
    for (let i = 0; i < 10_000; i++)
      steps.push({ type: "step_started", key: `s${i}#0`, attempt: 1 }, { type: "step_completed", key: `s${i}#0`, result: i });
    const big = await write([...steps, { type: "run_completed", output: null }]);
    // Bookmarks and domain events are journaled by other parts of duro; written here directly in their shared shapes.
    const marked = await write([
      { type: "step_started", key: "a#0", attempt: 1 },
      { type: "bookmark", key: "b#0", name: "checkpoint" } as unknown as EventBody,
      { type: "step_completed", key: "a#0", result: 1 },
      { type: "domain_event", key: "e#0", name: "order.paid", data: { amount: 5 } } as unknown as EventBody,
    ]);
    await store.close();

    const page = await signedIn();
    const began = Date.now();
    await page.goto(`${url}/#/runs/${big}`);
    await page.waitForSelector('.tl-lane[data-key="s0#0"] .tl-bar[data-outcome="completed"]');
    await page.waitForFunction("document.querySelector('.tl-spacer')?.getBoundingClientRect().height === 220000");
    console.log(`10,000-step run: timeline drawn ${Date.now() - began} ms after navigation`);
    expect(await page.locator(".tl-lane").count()).toBeLessThan(100);
    await page.locator(".tl-scroller").evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForSelector('.tl-lane[data-key="s9999#0"]');
    await page.screenshot({ path: join(OUTPUT, "ten-thousand-steps.png") });

    await page.goto(`${url}/#/runs/${marked}`);
    await page.waitForSelector('.tl-marker[data-marker="bookmark"][data-name="checkpoint"]');
    await page.waitForSelector('.tl-marker[data-marker="domain_event"][data-name="order.paid"]');
    await page.screenshot({ path: join(OUTPUT, "markers.png"), fullPage: true });
  });

  it("version, time range and sort are the server's filters: the URL's query reaches GET /v1/runs", async () => {
    const id = await start("explorer");
    await settled(id);
    const { version } = await getJson<{ version: string }>(`/v1/runs/${id}`);
    const page = await signedIn("#/runs");
    await page.waitForSelector(`tr[data-run="${id}"]`);
    await page.fill('#run-filters input[name="version"]', version);
    await page.fill('#run-filters input[name="workflow"]', "explorer");
    await page.fill('#run-filters input[name="from"]', "2000-01-01T00:00");
    await page.selectOption('#run-filters select[name="sort"]', "updated");
    const listed = page.waitForRequest((r) => r.url().includes("/v1/runs?"));
    await page.click('#run-filters button[type="submit"]');
    const query = new URL((await listed).url()).searchParams;
    expect(query.get("version")).toBe(version);
    expect(query.get("sort")).toBe("updated");
    expect(new Date(query.get("since") as string).getFullYear()).toBe(2000);
    await page.waitForSelector(`tr[data-run="${id}"]`);
    expect(new Set(await page.locator("tr[data-run] td:nth-child(3)").allTextContents())).toEqual(new Set([version]));

    // A range that ends before every run: the server finds none (the old client-side filter could only hide rows).
    await page.fill('#run-filters input[name="from"]', "");
    await page.fill('#run-filters input[name="to"]', "2000-01-01T00:00");
    await page.click('#run-filters button[type="submit"]');
    await page.waitForURL((u) => u.hash.includes("to=2000"));
    await page.getByText("no runs").waitFor();
    await page.screenshot({ path: join(OUTPUT, "runs-server-filters.png"), fullPage: true });
  });

  it("an all-tenants key sees every tenant's runs and a tenant filter; a tenant's key sees neither the filter nor the others", async () => {
    const acme = await start("explorer");
    const globex = await start("explorer", {}, globexToken);
    await settled(acme);

    const own = await signedIn("#/runs", globexToken);
    await own.waitForSelector(`tr[data-run="${globex}"]`);
    expect(await own.locator(`tr[data-run="${acme}"]`).count()).toBe(0);
    expect(await own.locator('#run-filters input[name="tenant"]').count()).toBe(0);
    expect(await own.locator("#runs th", { hasText: "tenant" }).count()).toBe(0);
    // A tenant's key naming another tenant in the URL is refused, and the list says why.
    await own.goto(`${url}/#/runs?tenant=acme`);
    await own.locator(".list-status .error", { hasText: "forbidden" }).waitFor();
    await own.goto(`${url}/#/runs/${acme}`);
    await own.locator("#summary .error", { hasText: "run_not_found" }).waitFor();

    const admin = await signedIn("#/runs", allTenantsToken);
    await admin.waitForSelector(`tr[data-run="${acme}"]`);
    await admin.waitForSelector(`tr[data-run="${globex}"] td.tenant`);
    await admin.fill('#run-filters input[name="tenant"]', "globex");
    await admin.click('#run-filters button[type="submit"]');
    await admin.waitForURL((u) => u.hash.includes("tenant=globex"));
    await admin.waitForSelector(`tr[data-run="${globex}"]`);
    await admin.locator(`tr[data-run="${acme}"]`).waitFor({ state: "detached" });
    expect(new Set(await admin.locator("tr[data-run] td.tenant").allTextContents())).toEqual(new Set(["globex"]));
    await admin.screenshot({ path: join(OUTPUT, "runs-all-tenants.png"), fullPage: true });
  });

  it("resume: a run its budget suspended continues once its limits are raised on the run page", async () => {
    const id = await start("agent-budget");
    await until(
      async () => ((await getJson<{ waitingFor?: string }>(`/v1/runs/${id}`)).waitingFor === "limit" ? true : undefined),
      "suspended by its budget",
    );
    const page = await signedIn(`#/runs/${id}`);
    await page.waitForSelector("#run-actions button.resume");
    expect(await page.locator("#run-actions button.signal").count()).toBe(0);
    await page.screenshot({ path: join(OUTPUT, "resume-limits.png"), fullPage: true });
    await page.fill('#run-actions input[name="maxCostUsd"]', "1");
    await page.click("#run-actions button.resume");
    await page.waitForSelector('#run-status [data-status="completed"]');
    const limits = await getJson<{ suspended: boolean; budgets: Array<{ limits: Array<{ max: number }> }> }>(`/v1/runs/${id}/limits`);
    expect(limits.suspended).toBe(false);
    expect(limits.budgets[0]?.limits[0]?.max).toBe(1);
  });

  it("resume: a failed run is retried from its failed step as a new run", async () => {
    const id = await start("failing");
    await settled(id, "failed");
    const page = await signedIn(`#/runs/${id}`);
    await page.click("#run-actions button.retry");
    await page.waitForURL((u) => /#\/runs\/[^/]+$/.test(u.hash) && !u.hash.endsWith(id));
    const retryId = decodeURIComponent(new URL(page.url()).hash.replace("#/runs/", ""));
    const events = (
      await getJson<{ events: Array<{ type: string; key?: string; options?: Record<string, unknown> }> }>(`/v1/runs/${retryId}/events`)
    ).events;
    expect(events[0]?.options).toMatchObject({ forkedFrom: id, forkStep: "charge#0" });
    // load#0 is the original's result, replayed; charge#0 ran again.
    expect(events.filter((e) => e.type === "step_started" && e.key === "load#0")).toHaveLength(1);
    await until(
      async () =>
        (await getJson<{ events: Array<{ type: string; key?: string }> }>(`/v1/runs/${retryId}/events`)).events.some(
          (e) => e.type === "step_failed" && e.key === "charge#0",
        )
          ? true
          : undefined,
      "charge#0 retried",
    );
  });

  it("a code step's detail shows its output and transcript lines, and says what the journal does not keep", async () => {
    const id = await start("explorer");
    await settled(id);
    const page = await signedIn(`#/runs/${id}`);
    await page.click('.tl-lane[data-key="flaky#0"] .tl-label');
    const detail = page.locator('#step-detail[data-key="flaky#0"]');
    await detail.locator('[data-missing="logs"]').waitFor();
    expect(await detail.locator('[data-missing="input"]').textContent()).toContain("not in the journal");
    expect(await detail.locator('[data-missing="logs"]').textContent()).toContain("logs are not kept in the journal");
    expect(await detail.locator(".redactions").getAttribute("data-count")).toBe("0");
    const transcript = await detail.locator("pre.transcript").textContent();
    const lines = (transcript ?? "").split("\n").map((line) => JSON.parse(line) as { step: string; status: string; attempt?: number });
    expect(lines.every((line) => line.step === "flaky#0")).toBe(true);
    // Attempt 1 failed and was retried; attempt 2 completed.
    expect(lines.map((line) => line.status)).toEqual(expect.arrayContaining(["retrying", "completed"]));
    expect(transcript).toContain("the first attempt fails");
    expect(await detail.textContent()).toContain('"ok": true');
    await page.screenshot({ path: join(OUTPUT, "step-detail.png"), fullPage: true });
  });
});

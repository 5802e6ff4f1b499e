// The web UI in real headless Chromium against the real `duro serve` on a temporary SQLite database: a run waits
// for approval, the inbox approves it, and the run page follows it live to `completed`. Screenshots of the runs
// list, the inbox and the run page go to test-output/.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DURO_BIN, duroJson, freshDir, REPO_ROOT, removeTempDirs } from "../support/cli.js";

const CHROMIUM = "/usr/bin/chromium";
const OUTPUT = join(REPO_ROOT, "test-output");
const WORKFLOWS = join(REPO_ROOT, "test", "server", "workflows.ts");

describe.runIf(existsSync(CHROMIUM))("web UI in Chromium", () => {
  let browser: Browser;
  let server: ChildProcess;
  let url: string;
  let token: string;

  beforeAll(async () => {
    const dir = freshDir("duro-e2e-");
    const db = `sqlite:${join(dir, "duro.db")}`;
    ({ token } = await duroJson<{ token: string }>(["keys", "create", "--tenant", "acme", "--role", "admin", "--db", db], { cwd: dir }));
    server = spawn(process.execPath, [DURO_BIN, "serve", WORKFLOWS, "--db", db, "--port", "0", "--json"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "inherit"],
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
    await page.waitForSelector('tr[data-step="pay#0"] [data-status="completed"]');
    await page.screenshot({ path: join(OUTPUT, "run-page.png"), fullPage: true });
    expect(await page.textContent("#summary")).toContain("looks right");

    const run = (await (await fetch(`${url}/v1/runs/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      status: string;
      output: unknown;
    };
    expect(run).toMatchObject({ status: "completed", output: { paid: true, amount: 250, comment: "looks right" } });
    for (const file of ["runs-list.png", "inbox.png", "run-page.png"]) expect(existsSync(join(OUTPUT, file))).toBe(true);
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
    await page.click('.filters a[href="#/runs?status=failed"]');
    await page.waitForSelector(`tr[data-run="${id}"] [data-status="failed"]`);
    expect(await page.locator("tr[data-run]").count()).toBe(1);

    await page.click(`tr[data-run="${id}"] a`);
    const failing = page.locator('tr.failing[data-step="charge#0"]');
    await failing.waitFor();
    expect(await failing.textContent()).toContain("card declined");
    expect(await page.textContent("#summary")).toContain("card declined");
    await page.screenshot({ path: join(OUTPUT, "failed-run.png"), fullPage: true });
  });
});

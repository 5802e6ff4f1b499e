// The web UI served by duroHandler under a prefix inside an Express app, in real headless Chromium: the page loads its
// assets under the prefix, reads the API and its live streams there, and an approval made in the inbox completes the
// run, whose page follows the journal stream through Express.
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { duroHandler, embed, toNodeListener } from "duro/http";
import express from "express";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { bearer, fixture, onCleanup } from "../http/support.js";
import { REPO_ROOT } from "../support/cli.js";

const CHROMIUM = "/usr/bin/chromium";

describe.runIf(existsSync(CHROMIUM))("the web UI under /ops/duro in an Express app", () => {
  it("signs in, lists the waiting run, approves it in the inbox and follows it to completed", async () => {
    const { engine, keys, hub } = await fixture();
    const app = express();
    app.use(
      "/ops/duro",
      toNodeListener(duroHandler({ engine, auth: "keys", prefix: "/ops/duro", hub, uiDir: join(REPO_ROOT, "dist", "ui") })),
    );
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const embedded = embed({ engine, server, signals: [], exit: false, worker: { pollMs: 20 } });
    onCleanup(() => embedded.shutdown());
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const started = await fetch(`${base}/ops/duro/v1/runs`, {
      method: "POST",
      headers: bearer(keys.acme, { "content-type": "application/json" }),
      body: JSON.stringify({ workflow: "order", input: { item: "lamp" } }),
    });
    const { id } = (await started.json()) as { id: string };
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    onCleanup(() => browser.close());
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on("request", (request) => requested.push(new URL(request.url()).pathname));

    await page.goto(`${base}/ops/duro`);
    await page.fill("#key", keys.acme);
    await page.click("#key-form button");
    await page.waitForSelector(`tr[data-run="${id}"] [data-status="waiting"]`);
    await page.click('a[data-nav="inbox"]');
    await page.locator(`article.wait[data-run="${id}"] button.approve`).click();
    await page.waitForURL(`**/#/runs/${id}`);
    await page.waitForSelector('#run-status [data-status="completed"]');

    expect(page.url()).toBe(`${base}/ops/duro/#/runs/${id}`);
    // Every request but the first (/ops/duro, redirected to /ops/duro/) stays under the prefix.
    expect(requested.filter((path) => !path.startsWith("/ops/duro/"))).toEqual(["/ops/duro"]);
    expect(requested).toContain(`/ops/duro/v1/runs/${id}/stream`);
    expect((await engine.get(id)).output).toEqual({ item: "lamp", shipped: true });
  }, 90_000);
});

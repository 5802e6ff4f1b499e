// The web UI's files (built by Vite into dist/ui) and the page an approval link opens.
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Env, Hono } from "hono";
import type { LinkClaims } from "./links.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

/** dist/ui, next to dist/server (or, running from src/, the dist/ui of the checkout). */
export function defaultUiDir(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const sibling = resolve(here, "..", "ui");
  return existsSync(sibling) ? sibling : resolve(here, "..", "..", "dist", "ui");
}

/** Serves the UI's files at / (index.html for /); files outside the folder are never served. */
export function serveUi<E extends Env>(app: Hono<E>, uiDir = defaultUiDir()): void {
  app.get("/*", (c, next) => {
    const path = c.req.path === "/" ? "/index.html" : c.req.path;
    const file = resolve(join(uiDir, decodeURIComponent(path)));
    if (!file.startsWith(uiDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      if (c.req.path === "/") return c.text("the web UI is not built; run npm run build", 404);
      return next();
    }
    const immutable = path.startsWith("/assets/");
    return c.body(readFileSync(file), 200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
  });
}

/** The page behind an approval link: what is being decided, and a form to approve or reject with a comment. */
export function approvalPage(claims: LinkClaims, token: string, basePath = ""): string {
  const e = escapeHtml;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Approve ${e(claims.gate)} · duro</title>
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}textarea{width:100%;min-height:5rem}button{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem}</style>
</head><body>
<h1>Approval: ${e(claims.gate)}</h1>
<p>Run <code>${e(claims.runId)}</code> waits for a decision on <b>${e(claims.gate)}</b>. This link works once, until ${e(new Date(claims.expiresAt).toISOString())}.</p>
<form method="post" action="${e(basePath)}/approve/${e(token)}">
<p><label>Comment (optional)<br><textarea name="comment"></textarea></label></p>
<button name="action" value="approve">Approve</button><button name="action" value="reject">Reject</button>
</form></body></html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

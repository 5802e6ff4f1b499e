// Small DOM helpers every view uses: element and SVG builders, status badges, times, run links, error lines.
import { ApiError } from "./api.js";

type Child = Node | string | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) el.setAttribute(name, value);
  for (const child of children) if (child !== undefined && child !== false) el.append(child);
  return el;
}

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  props: Record<string, string | number> = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(props)) el.setAttribute(name, String(value));
  for (const child of children) if (child !== undefined && child !== false) el.append(child);
  return el;
}

export const badge = (status: string) => h("span", { class: `badge ${status}`, "data-status": status }, status);
export const time = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : "");
export const runLink = (id: string) => h("a", { href: `#/runs/${id}` }, id);

/** "1.2 s", "340 ms", "3 min": durations at the precision a person reads. */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function showError(error: unknown): HTMLElement {
  const message = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
  return h("p", { class: "error", role: "alert" }, message);
}

const REDACTED = "[REDACTED]";

/** A JSON value as indented text, with every redacted value marked so a reader sees what was hidden. */
export function pretty(value: unknown): HTMLElement {
  return marked(h("pre", {}), JSON.stringify(value, null, 2) ?? "undefined");
}

/** Appends JSON text to `into`, each redacted value as a marked element. */
export function marked<E extends HTMLElement>(into: E, text: string): E {
  const parts = text.split(`"${REDACTED}"`);
  parts.forEach((part, i) => {
    into.append(part);
    if (i < parts.length - 1) into.append(h("mark", { class: "redacted", title: "redacted: a secret was here" }, REDACTED));
  });
  return into;
}

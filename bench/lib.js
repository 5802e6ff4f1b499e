// Small helpers the benchmarks share: fresh temp database files, timing, medians and the printed table.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs `fn(path)` with a path to a new, empty database file in its own temp folder; the folder is deleted afterwards. */
export async function withTempDb(fn) {
  const dir = mkdtempSync(join(tmpdir(), "duro-bench-"));
  try {
    return await fn(join(dir, "bench.sqlite"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes of a file (0 when it does not exist). */
export function fileSize(path) {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Milliseconds `fn` took, with its result. */
export async function timed(fn) {
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `measure()` `times` times, one after the other, and returns the results in order. */
export async function repeat(times, measure) {
  const results = [];
  for (let i = 0; i < times; i++) results.push(await measure(i));
  return results;
}

/** Rounds to a few significant digits, so the JSON line stays readable. */
export function round(value, digits = 3) {
  if (!Number.isFinite(value) || value === 0) return value;
  const scale = 10 ** Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}

export function formatNumber(value) {
  if (typeof value !== "number") return String(value);
  return round(value).toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** Progress goes to stderr so that stdout holds only the table and the JSON line. */
export function progress(message) {
  process.stderr.write(`bench: ${message}\n`);
}

/** A plain-text table: one header row, left-aligned text columns, right-aligned number columns. */
export function formatTable(headers, rows) {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === "number" ? formatNumber(cell) : String(cell ?? ""))));
  const numeric = headers.map((_, c) => rows.some((row) => typeof row[c] === "number"));
  const widths = headers.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  const line = (row) =>
    row
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/**
 * A progress bar on stderr for a long build: `update(done)` redraws it in place on a terminal, and prints a line at
 * every tenth otherwise (a log file keeps a few lines, not thousands); `done()` ends it with the time it took.
 */
export function progressBar(label, total) {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let shownTenth = -1;
  const line = (done) => {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const width = 30;
    const filled = Math.round(share * width);
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return `bench: ${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} (${rate.toLocaleString("en-US")}/s)`;
  };
  return {
    update(done) {
      if (tty) return void process.stderr.write(`\r${line(done)}`);
      const tenth = Math.floor((done / Math.max(1, total)) * 10);
      if (tenth > shownTenth) {
        shownTenth = tenth;
        process.stderr.write(`${line(done)}\n`);
      }
    },
    done() {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stderr.write(`${tty ? "\n" : ""}bench: ${label}: done in ${seconds} s\n`);
    },
  };
}

/** The value below which `share` of the samples fall (nearest rank). */
export function percentile(values, share) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))];
}

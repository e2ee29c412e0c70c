/**
 * The gradient comparison table: one row per method with its median time per gradient, the
 * relative difference of its gradient to the reference (the expm route for the linear model),
 * and its right-hand-side / VJP counts. On a large problem ForwardSensitivity is not run at full
 * size: its row says so and its note lists the leading blocks it was measured on. Rendered as
 * plain text (terminal), and as HTML (report.html).
 */
import { formatMs, solveLabel } from "./format.js";
import { type ForwardBlocks, type GradientResult, METHOD_LABELS, relativeDifference } from "./gradients.js";
import type { MethodName } from "./options.js";

export interface TableRow {
  method: MethodName;
  label: string;
  /** "ok", "failed" (the method reported its own failure), or "not run" at this size (see the note). */
  status: "ok" | "failed" | "not run";
  median_ms: number;
  min_ms?: number;
  max_ms?: number;
  repeat?: number;
  loss?: number;
  /** ‖g − g_ref‖ / max(‖g‖, ‖g_ref‖). */
  rel_diff?: number;
  forward_rhs?: number;
  backward_rhs?: number;
  backward_vjp?: number;
  note?: string;
}

export interface GradientTable {
  model: string;
  n: number;
  solver: string;
  reltol: number;
  abstol: number;
  /** The step of a fixed-step solver (which ignores the tolerances). */
  dt?: number;
  /** Method whose gradient the rel_diff column compares against (none: no such column). */
  reference?: string;
  rows: TableRow[];
}

/** A table row from a measured result. */
export function rowOf(r: GradientResult, ref: Float64Array | undefined): TableRow {
  const row: TableRow = {
    method: r.method,
    label: METHOD_LABELS[r.method],
    status: r.ok ? "ok" : "failed",
    median_ms: r.timing.median_ms,
    min_ms: r.timing.min_ms,
    max_ms: r.timing.max_ms,
    repeat: r.timing.repeat,
  };
  if (r.ok) {
    row.loss = r.loss;
    if (ref !== undefined) row.rel_diff = relativeDifference(r.grad, ref);
  } else row.note = r.error;
  if (r.stats.forward_rhs !== undefined) row.forward_rhs = r.stats.forward_rhs;
  if (r.stats.backward_rhs !== undefined) row.backward_rhs = r.stats.backward_rhs;
  if (r.stats.backward_vjp !== undefined) row.backward_vjp = r.stats.backward_vjp;
  if (r.stats.tape_steps !== undefined) row.note = `${r.stats.tape_steps} solver steps recorded on the tape`;
  if (r.interrupted) {
    row.note = `interrupted after ${r.timing.repeat} timed run${r.timing.repeat === 1 ? "" : "s"}`;
  }
  return row;
}

/** ForwardSensitivity's row when it was run on leading blocks only. */
export function forwardRow(x: ForwardBlocks): TableRow {
  const measured = x.measured.map((m) => `n = ${m.n}: ${formatMs(m.ms)}`).join(", ");
  return {
    method: "forward",
    label: METHOD_LABELS.forward,
    status: "not run",
    median_ms: Number.NaN,
    note:
      `not run at n = ${x.n}: it solves one extra ODE per parameter (\`ude gradient --method forward --forward-full\` measures it at full size, slowly).` +
      (measured ? ` Measured on the leading blocks, time per gradient: ${measured}.` : ""),
  };
}

function ms(x: number | undefined): string {
  return x === undefined ? "—" : formatMs(x);
}

function sci(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? "—" : x.toExponential(1);
}

function count(x: number | undefined): string {
  return x === undefined ? "—" : String(x);
}

const HEADERS = ["method", "time / gradient", "min–max", "rel. diff", "fwd RHS", "bwd RHS", "VJPs", "status"];

function cells(r: TableRow): string[] {
  const time = r.status === "not run" ? "not run" : ms(r.median_ms);
  const range = r.min_ms !== undefined ? `${ms(r.min_ms)}–${ms(r.max_ms)}` : "—";
  const status =
    r.status === "failed" ? "FAILED (self-reported)" : r.status === "not run" ? "not run (see below)" : "ok";
  return [
    r.label,
    time,
    range,
    sci(r.rel_diff),
    count(r.forward_rhs),
    count(r.backward_rhs),
    count(r.backward_vjp),
    status,
  ];
}

/** The columns shown: without a reference there is no rel. diff column. */
function columns(t: GradientTable): number[] {
  return HEADERS.map((_h, j) => j).filter((j) => t.reference !== undefined || HEADERS[j] !== "rel. diff");
}

/** The table's title line. */
export function tableTitle(t: GradientTable): string {
  const base = `Gradient of the loss, ${t.model} model, n = ${t.n} (${solveLabel(t)})`;
  return t.reference === undefined
    ? base
    : `${base}; rel. diff = ‖g − g_ref‖ / max(‖g‖, ‖g_ref‖) with g_ref from ${t.reference}`;
}

/** The table as aligned plain text, with notes (failures, sizes not run) below it. */
export function formatTable(t: GradientTable): string {
  const shown = columns(t);
  const body = t.rows.map((r) => {
    const c = cells(r);
    return shown.map((j) => c[j]);
  });
  const headers = shown.map((j) => HEADERS[j]);
  const widths = headers.map((h, j) => Math.max(h.length, ...body.map((c) => c[j].length)));
  const line = (c: string[]) =>
    c
      .map((x, j) => x.padEnd(widths[j]))
      .join("  ")
      .trimEnd();
  const out = [tableTitle(t), line(headers), line(widths.map((w) => "-".repeat(w))), ...body.map(line)];
  const notes = t.rows.filter((r) => r.note !== undefined);
  if (notes.length > 0) {
    out.push("");
    for (const r of notes) out.push(`${r.label}: ${r.note}`);
  }
  return `${out.join("\n")}\n`;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The table as an HTML <table> with its caption and notes. */
export function tableHtml(t: GradientTable): string {
  const shown = columns(t);
  const head = `<tr>${shown.map((j) => `<th>${escapeHtml(HEADERS[j])}</th>`).join("")}</tr>`;
  const rows = t.rows
    .map((r) => {
      const c = cells(r);
      return `<tr class="${r.status.replace(" ", "-")}">${shown.map((j) => `<td>${escapeHtml(c[j])}</td>`).join("")}</tr>`;
    })
    .join("\n");
  const notes = t.rows
    .filter((r) => r.note !== undefined)
    .map((r) => `<li><b>${escapeHtml(r.label)}</b>: ${escapeHtml(r.note as string)}</li>`)
    .join("\n");
  return (
    `<table>\n<caption>${escapeHtml(tableTitle(t))}</caption>\n` +
    `${head}\n${rows}\n</table>\n${notes ? `<ul class="notes">\n${notes}\n</ul>\n` : ""}`
  );
}

export { escapeHtml };

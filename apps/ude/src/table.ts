/**
 * The gradient comparison table: one row per method with its median time per gradient, the
 * relative difference of its gradient to the reference (the expm route for the linear model),
 * and its right-hand-side / VJP counts; ForwardSensitivity's row is measured on smaller blocks
 * and extrapolated when the problem is large. Rendered as plain text (terminal), and as HTML
 * (report.html).
 */
import {
  type ForwardExtrapolation,
  type GradientResult,
  METHOD_LABELS,
  relativeDifference,
} from "./gradients.js";
import type { MethodName } from "./options.js";

export interface TableRow {
  method: MethodName;
  label: string;
  /** "ok", "failed" (the method reported its own failure), or "extrapolated" (not measured at this size). */
  status: "ok" | "failed" | "extrapolated";
  median_ms: number;
  min_ms?: number;
  max_ms?: number;
  repeat?: number;
  loss?: number;
  /** ‖g − g_ref‖ / ‖g_ref‖. */
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
  /** Method whose gradient the rel_diff column compares against. */
  reference: string;
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
  return row;
}

/** ForwardSensitivity's extrapolated row. */
export function forwardRow(x: ForwardExtrapolation): TableRow {
  const measured = x.measured.map((m) => `n=${m.n}: ${m.ms.toFixed(0)} ms`).join(", ");
  return {
    method: "forward",
    label: METHOD_LABELS.forward,
    status: "extrapolated",
    median_ms: x.extrapolated_ms,
    note: `EXTRAPOLATED to n=${x.n} from leading blocks (${measured}); fitted cost ∝ n^${x.exponent.toFixed(2)}`,
  };
}

/** A tolerance as 1e-6 rather than 0.000001. */
export function formatTol(x: number): string {
  return x.toExponential().replace("e+", "e");
}

function ms(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "—";
  if (x >= 10_000) return `${(x / 1000).toFixed(1)} s`;
  if (x >= 100) return `${x.toFixed(0)} ms`;
  return `${x.toFixed(1)} ms`;
}

function sci(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? "—" : x.toExponential(1);
}

function count(x: number | undefined): string {
  return x === undefined ? "—" : String(x);
}

const HEADERS = ["method", "time / gradient", "min–max", "rel. diff", "fwd RHS", "bwd RHS", "VJPs", "status"];

function cells(r: TableRow): string[] {
  const time = r.status === "extrapolated" ? `~${ms(r.median_ms)} (extrapolated)` : ms(r.median_ms);
  const range = r.min_ms !== undefined ? `${ms(r.min_ms)}–${ms(r.max_ms)}` : "—";
  const status =
    r.status === "failed" ? "FAILED (self-reported)" : r.status === "extrapolated" ? "extrapolation" : "ok";
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

/** The table as aligned plain text, with notes (failures, extrapolation) below it. */
export function formatTable(t: GradientTable): string {
  const body = t.rows.map(cells);
  const widths = HEADERS.map((h, j) => Math.max(h.length, ...body.map((c) => c[j].length)));
  const line = (c: string[]) =>
    c
      .map((x, j) => x.padEnd(widths[j]))
      .join("  ")
      .trimEnd();
  const out = [
    `Gradient of the loss, ${t.model} model, n = ${t.n} (${t.solver}, reltol ${formatTol(t.reltol)}, abstol ${formatTol(t.abstol)}); rel. diff = ‖g − g_ref‖/‖g_ref‖ against ${t.reference}`,
    line(HEADERS),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map(line),
  ];
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
  const head = `<tr>${HEADERS.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
  const rows = t.rows
    .map(
      (r) =>
        `<tr class="${r.status}">${cells(r)
          .map((c) => `<td>${escapeHtml(c)}</td>`)
          .join("")}</tr>`,
    )
    .join("\n");
  const notes = t.rows
    .filter((r) => r.note !== undefined)
    .map((r) => `<li><b>${escapeHtml(r.label)}</b>: ${escapeHtml(r.note as string)}</li>`)
    .join("\n");
  return (
    `<table>\n<caption>Gradient of the loss, ${escapeHtml(t.model)} model, n = ${t.n} (${escapeHtml(t.solver)}, ` +
    `reltol ${formatTol(t.reltol)}, abstol ${formatTol(t.abstol)}); rel. diff against ${escapeHtml(t.reference)}</caption>\n` +
    `${head}\n${rows}\n</table>\n${notes ? `<ul class="notes">\n${notes}\n</ul>\n` : ""}`
  );
}

export { escapeHtml };

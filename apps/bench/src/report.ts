/** The shape every benchmark suite returns, so `pnpm bench` can print one summary and write one report. */

export interface BenchTable {
  caption: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface BenchSection {
  /** Section heading in the summary and in BENCHMARKS.md. */
  title: string;
  tables: BenchTable[];
  /** Sentences under the tables: targets met or missed, caveats. Computed, never typed by hand. */
  notes?: string[];
  /** Machine-readable results for bench-results.json. */
  data?: unknown;
}

export type BenchSuite = () => Promise<BenchSection> | BenchSection;

export function formatTable(t: BenchTable): string {
  const cell = (v: string | number) => (typeof v === "number" ? formatNumber(v) : v);
  const head = `| ${t.columns.join(" | ")} |\n|${t.columns.map(() => "---").join("|")}|`;
  const body = t.rows.map((r) => `| ${r.map(cell).join(" | ")} |`).join("\n");
  return `${t.caption}\n\n${head}\n${body}\n`;
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toPrecision(3);
}

/**
 * The shape every benchmark suite returns, so `pnpm bench` can print one summary, write one
 * machine-readable file (bench-results.json) and regenerate one report (BENCHMARKS.md).
 */

export interface BenchTable {
  caption: string;
  columns: string[];
  rows: (string | number)[][];
}

/** A target from an issue and whether this run met it; `met` is computed from measurements. */
export interface TargetResult {
  issue: number;
  /** The target as the issue states it, e.g. "InterpolatingAdjoint gradient ≤ 15 ms median". */
  target: string;
  /** What this run measured, e.g. "12.3 ms". */
  measured: string;
  /** undefined: not measured in this run (the reason is in `measured`). */
  met: boolean | undefined;
}

/** An SVG picture a suite drew; run.ts writes it to a file and BENCHMARKS.md links it. */
export interface BenchFigure {
  /** File name without extension, e.g. "scaling". */
  name: string;
  caption: string;
  svg: string;
}

export interface BenchSection {
  /** Section heading in the summary and in BENCHMARKS.md. */
  title: string;
  tables: BenchTable[];
  /** Sentences under the tables: targets met or missed, caveats. Computed, never typed by hand. */
  notes?: string[];
  /** Targets of the issues this section measures. */
  targets?: TargetResult[];
  figures?: BenchFigure[];
  /** Machine-readable results for bench-results.json. */
  data?: unknown;
}

/** The machine's measured peak for tuned dense loops (see hardware.ts). */
export interface HardwarePeak {
  /** GFLOP/s of the best n×n matvec (WebAssembly SIMD kernel, operands in its memory). */
  matvecGflops: number;
  matvecN: number;
  /** GFLOP/s of the best n×n matmul. */
  matmulGflops: number;
  matmulN: number;
  backend: string;
}

/** What every suite receives from the runner. */
export interface BenchContext {
  /** Smoke run: fewer samples and sizes; numbers are indicative only. */
  quick: boolean;
  peak: HardwarePeak;
}

export type BenchSuite = (ctx: BenchContext) => Promise<BenchSection> | BenchSection;

export function formatTable(t: BenchTable): string {
  const cell = (v: string | number) =>
    (typeof v === "number" ? formatNumber(v) : v).replaceAll("|", "\\|").replaceAll("\n", " ");
  const head = `| ${t.columns.map(cell).join(" | ")} |\n|${t.columns.map(() => "---").join("|")}|`;
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

/** "met" / "MISSED" / "not measured". */
export function targetStatus(met: boolean | undefined): string {
  return met === undefined ? "not measured" : met ? "met" : "MISSED";
}

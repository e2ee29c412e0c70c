/**
 * The report writer: turns one run's results (machine, protocol, hardware floor, every suite's
 * tables, notes, figures and targets) into BENCHMARKS.md. Every number in the output comes from
 * the BenchReport object, which is also what bench-results.json stores.
 */
import {
  type BenchSection,
  type BenchTable,
  formatTable,
  type HardwarePeak,
  type TargetResult,
  targetStatus,
} from "./report.js";

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  v8: string;
  platform: string;
  /** ISO date-time of the run's start. */
  date: string;
}

export interface SectionResult extends BenchSection {
  /** The suite's name (its file name in src/suites). */
  suite: string;
  seconds: number;
  /** Set when the suite threw; its tables are then empty. */
  error?: string;
}

export interface BenchReport {
  machine: MachineInfo;
  quick: boolean;
  wallSeconds: number;
  /** Largest resident set size of the whole run (process.resourceUsage().maxRSS). */
  peakRssMiB: number;
  peak: HardwarePeak;
  hardwareTable: BenchTable;
  sections: SectionResult[];
  targets: TargetResult[];
}

/** The protocol, as stated in the report (the sample counts per table are in each caption). */
export function protocolText(quick: boolean): string[] {
  return [
    "One process runs every suite (`pnpm bench` → `tsx --conditions=@udekit/source apps/bench/src/run.ts`), from TypeScript source.",
    "Each timed function is first called a few times (warm-up, so V8 has optimised it), then timed over repeated samples; tables give the median, and where useful min and max, over the samples (counts in each caption).",
    "Competitors that are compared (methods, libraries, backends) are timed interleaved in the same process — A B C A B C … — so that the noise of this shared machine hits them alike and their ratios are meaningful; absolute times vary from run to run more than ratios do. Each suite runs in a Node process of its own, so none measures in a heap, buffer pool or arena that the suites before it left behind.",
    "Accuracy is always measured against an independent reference named in the caption, never against the code under test.",
    "Flops: udekit's algorithms are run once with a counting wrapper around the dense kernels (@udekit/kernels), which tallies the exact flops of every matvec, matmul, rank-1 update, LU, … they call; other libraries' flops are computed from their operation counts (stated in the caption). GFLOP/s = counted flops / median time, next to the measured peak of a tuned loop of the same kind (Hardware floor).",
    "Memory: bytes allocated per call are the growth of V8's heap and ArrayBuffer memory over a loop of calls (small functions) or over one call right after a forced collection (whole gradients; median of several calls), plus what garbage collections freed during it (v8.GCProfiler); resident set size from process.memoryUsage(), and the run's peak from process.resourceUsage().maxRSS.",
    quick
      ? "This is a --quick smoke run: sample counts and sizes are reduced; its numbers are indicative only."
      : "Full run (not --quick).",
  ];
}

/** Targets stated in a suite's notes as "…: met (…)", "…: MISSED (…)", "(target …: NOT met)" etc. */
export function targetsFromNotes(issue: number, notes: readonly string[]): TargetResult[] {
  const out: TargetResult[] = [];
  for (const note of notes) {
    if (!/target/i.test(note)) continue;
    const status = /\b(MISSED|not met)\b/i.test(note) ? false : /\bmet\b/.test(note) ? true : undefined;
    if (status === undefined) continue;
    const m = /^(.*?):\s*(?:met|MISSED|NOT met)\s*\((.*)\)\.?\s*$/.exec(note);
    out.push(
      m === null
        ? { issue, target: note.trim(), measured: "see target text", met: status }
        : { issue, target: m[1].trim(), measured: m[2].trim(), met: status },
    );
  }
  return out;
}

/**
 * Issue 7's "expm faster than mathjs at every n (and more accurate)", computed from the
 * linear-ode suite's comparison table (columns "udekit ms", "mathjs ms", "udekit rel. error",
 * "mathjs rel. error"); undefined when no such table exists.
 */
export function mathjsTarget(tables: readonly BenchTable[]): TargetResult | undefined {
  const t = tables.find((x) => x.columns.includes("udekit ms") && x.columns.includes("mathjs ms"));
  if (t === undefined) return undefined;
  const col = (name: string) => t.columns.indexOf(name);
  const num = (v: string | number | undefined) => (typeof v === "number" ? v : Number(v));
  const [iU, iM, eU, eM] = ["udekit ms", "mathjs ms", "udekit rel. error", "mathjs rel. error"].map(col);
  const faster = t.rows.filter((r) => num(r[iU]) < num(r[iM]));
  const accurate = eU < 0 || eM < 0 ? [] : t.rows.filter((r) => num(r[eU]) <= num(r[eM]));
  const worst = Math.min(...t.rows.map((r) => num(r[iM]) / num(r[iU])));
  return {
    issue: 7,
    target: "expm faster than mathjs `expm` at every n (and more accurate)",
    measured: `faster at ${faster.length} of ${t.rows.length} sizes (smallest speed-up ${worst.toFixed(1)}×); at least as accurate at ${eU < 0 ? "?" : accurate.length} of ${t.rows.length}`,
    met: faster.length === t.rows.length && (eU < 0 || accurate.length === t.rows.length),
  };
}

function machineTable(r: BenchReport): BenchTable {
  const m = r.machine;
  return {
    caption: "Machine and run.",
    columns: ["item", "value"],
    rows: [
      ["CPU (os.cpus()[0].model)", m.cpu],
      ["logical cores", m.cores],
      ["memory", `${m.memoryGiB.toFixed(1)} GiB`],
      ["Node", m.node],
      ["V8", m.v8],
      ["platform", m.platform],
      ["date (run start, UTC)", m.date],
      ["mode", r.quick ? "--quick (smoke run)" : "full"],
      ["wall time of the whole run", `${r.wallSeconds.toFixed(1)} s`],
      ["peak resident set size of the run", `${r.peakRssMiB.toFixed(0)} MiB`],
    ],
  };
}

function targetsTable(targets: readonly TargetResult[]): BenchTable {
  const sorted = [...targets].sort((a, b) => a.issue - b.issue);
  return {
    caption: "Targets set by the issues, computed from this run's measurements.",
    columns: ["issue", "target", "measured", "status"],
    rows: sorted.map((t) => [`#${t.issue}`, t.target, t.measured, targetStatus(t.met)]),
  };
}

/** Counts of targets met / missed / not measured, e.g. "7 met, 3 missed, 1 not measured". */
export function targetSummary(targets: readonly TargetResult[]): string {
  const met = targets.filter((t) => t.met === true).length;
  const missed = targets.filter((t) => t.met === false).length;
  const unknown = targets.length - met - missed;
  return `${met} met, ${missed} missed${unknown > 0 ? `, ${unknown} not measured` : ""}`;
}

/**
 * BENCHMARKS.md. `figureLink(name)` gives the relative path of the SVG a section's figure was
 * written to.
 */
export function renderMarkdown(r: BenchReport, figureLink: (name: string) => string): string {
  const out: string[] = [];
  out.push("# udekit benchmarks\n");
  out.push(
    "> Generated by `pnpm bench` (apps/bench). Do not edit by hand: every number below was measured by the run described here, whose machine-readable results are in `apps/bench/bench-results.json`.\n",
  );
  out.push(
    "Reproduce: `pnpm bench` (full run; rewrites this file, `apps/bench/bench-results.json` and `apps/bench/figures/`); `pnpm bench -- --quick` or `pnpm bench -- <suite> …` for smoke or partial runs (written to `apps/bench/out/`, gitignored); `pnpm bench -- --from-json` re-renders this file from the stored results without measuring.\n",
  );
  out.push(`## Machine\n\n${formatTable(machineTable(r))}`);
  out.push(
    `## Protocol\n\n${protocolText(r.quick)
      .map((p) => `- ${p}`)
      .join("\n")}\n`,
  );
  out.push(
    `## Hardware floor\n\n${formatTable(r.hardwareTable)}\nPeak used in the tables below: matvec ${r.peak.matvecGflops.toFixed(2)} GFLOP/s (n = ${r.peak.matvecN}), matmul ${r.peak.matmulGflops.toFixed(2)} GFLOP/s (n = ${r.peak.matmulN}), backend "${r.peak.backend}".\n`,
  );
  out.push(`## Targets (${targetSummary(r.targets)})\n\n${formatTable(targetsTable(r.targets))}`);
  out.push("## Contents\n");
  out.push(
    `${r.sections.map((s) => `- ${s.title} (suite \`${s.suite}\`, ${s.seconds.toFixed(1)} s)`).join("\n")}\n`,
  );
  for (const s of r.sections) {
    out.push(`## ${s.title}\n`);
    if (s.error !== undefined) out.push(`**The suite failed:** ${s.error}\n`);
    for (const f of s.figures ?? []) out.push(`![${f.caption}](${figureLink(f.name)})\n\n*${f.caption}*\n`);
    for (const t of s.tables) out.push(formatTable(t));
    if ((s.notes ?? []).length > 0) out.push(`${(s.notes ?? []).map((n) => `- ${n}`).join("\n")}\n`);
  }
  return `${out.join("\n").trimEnd()}\n`;
}

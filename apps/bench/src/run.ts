/**
 * `pnpm bench`: measures the hardware floor, runs every benchmark suite, each in a Node process
 * of its own (suite-process.ts), prints each section and a closing summary (targets, wall time),
 * and writes the machine-readable results (bench-results.json), the figures (SVG) and the report
 * (BENCHMARKS.md).
 *
 * Usage: `pnpm bench [-- --quick] [-- suite ...]`, or `pnpm bench -- --from-json` to re-render BENCHMARKS.md
 * (recomputing the targets) from the stored apps/bench/bench-results.json without measuring.
 * - A full run of every suite writes the committed files: <repo>/BENCHMARKS.md,
 *   apps/bench/bench-results.json and apps/bench/figures/*.svg, and regenerates the measured
 *   numbers in the package READMEs (readmes.ts; `pnpm bench:readmes` does only that).
 * - `--quick` (fewer samples and sizes, a smoke run) or a subset of suites writes the same files
 *   under apps/bench/out/ (gitignored) instead, so a partial run never replaces the report.
 *
 * Suites are src/suites/<name>.ts, each exporting one function `<name>Suite(ctx)`; the ones
 * listed in SUITE_ORDER run in that order, a listed file that does not exist is skipped with a
 * note, and any other file found there runs last.
 */
import { fork } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, platform, release, tmpdir, totalmem } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { measureHardwareFloor } from "./hardware.js";
import {
  type BenchReport,
  type MachineInfo,
  renderMarkdown,
  type SectionResult,
  targetSummary,
} from "./markdown.js";
import { updateReadmes } from "./readmes.js";
import { type BenchContext, formatTable, targetStatus } from "./report.js";
import type { SuiteOutcome } from "./suite-process.js";
import { collectTargets } from "./targets.js";

const SUITE_ORDER = [
  "kernels",
  "autodiff",
  "nn",
  "ode",
  "linear-ode",
  "gradient",
  "stiff-bank",
  "scaling",
  "tfjs",
];
const here = dirname(fileURLToPath(import.meta.url));
const benchDir = join(here, "..");
const repoRoot = join(benchDir, "..", "..");
const suitesDir = join(here, "suites");

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.filter((a) => !a.startsWith("--"));

function machine(start: Date): MachineInfo {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? "unknown",
    cores: c.length,
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()} ${release()}`,
    date: start.toISOString(),
  };
}

function suiteNames(): string[] {
  const files = readdirSync(suitesDir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => f.slice(0, -3));
  const extra = files.filter((f) => !SUITE_ORDER.includes(f)).sort();
  return [...SUITE_ORDER, ...extra];
}

/** Peak resident set size over the suites' processes (and this one). */
let peakRssMiB = 0;

/**
 * Runs suite `name` in a process of its own (suite-process.ts: no suite measures in a heap the
 * ones before it filled) and returns its section, or an error section when it failed.
 */
async function runSuite(name: string, file: string, ctx: BenchContext): Promise<SectionResult> {
  const resultFile = join(tmpdir(), `udekit-bench-${process.pid}-${name}.json`);
  rmSync(resultFile, { force: true });
  // The same Node options as this process (tsx's loader, the source condition).
  const child = fork(join(here, "suite-process.ts"), [file, JSON.stringify(ctx), resultFile], {
    stdio: "inherit",
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  const outcome: SuiteOutcome = existsSync(resultFile)
    ? (JSON.parse(readFileSync(resultFile, "utf8")) as SuiteOutcome)
    : { error: `the suite's process exited with code ${code} before it wrote a result`, peakRssMiB: 0 };
  rmSync(resultFile, { force: true });
  peakRssMiB = Math.max(peakRssMiB, outcome.peakRssMiB);
  if (outcome.section !== undefined) return { ...outcome.section, suite: name, seconds: 0 };
  process.exitCode = 1;
  process.stderr.write(`suite "${name}" failed: ${outcome.error}\n`);
  return { title: `Suite "${name}"`, tables: [], suite: name, seconds: 0, error: outcome.error };
}

async function measure(): Promise<BenchReport> {
  const start = new Date();
  const t0 = performance.now();
  const names = suiteNames().filter((n) => only.length === 0 || only.includes(n));
  process.stdout.write(`udekit benchmarks${quick ? " (--quick)" : ""}: measuring the hardware floor…\n`);
  const floor = measureHardwareFloor(quick);
  process.stdout.write(`\n## Hardware floor\n\n${formatTable(floor.table)}`);
  const ctx: BenchContext = { quick, peak: floor.peak };
  const sections: SectionResult[] = [];
  for (const name of names) {
    const file = join(suitesDir, `${name}.ts`);
    if (!existsSync(file)) {
      skipped.push(name);
      continue;
    }
    process.stdout.write(`\n[${((performance.now() - t0) / 1000).toFixed(0)} s] running suite "${name}"…\n`);
    const s0 = performance.now();
    const section = await runSuite(name, file, ctx);
    section.seconds = (performance.now() - s0) / 1000;
    sections.push(section);
    process.stdout.write(`\n## ${section.title}\n\n${section.tables.map(formatTable).join("\n")}`);
    for (const note of section.notes ?? []) process.stdout.write(`- ${note}\n`);
  }
  return {
    machine: machine(start),
    quick,
    wallSeconds: (performance.now() - t0) / 1000,
    peakRssMiB: Math.max(peakRssMiB, process.resourceUsage().maxRSS / 1024),
    peak: floor.peak,
    hardwareTable: floor.table,
    sections,
    targets: collectTargets(sections, only),
  };
}

/** --from-json: the stored results of the last full run, with the targets recomputed from them. */
function stored(): BenchReport {
  const r = JSON.parse(readFileSync(join(benchDir, "bench-results.json"), "utf8")) as BenchReport;
  process.stdout.write(
    `Re-rendering the report of the run of ${r.machine.date} from bench-results.json (no measurement).\n`,
  );
  return { ...r, targets: collectTargets(r.sections, []) };
}

const skipped: string[] = [];
const fromJson = args.includes("--from-json");
const report = fromJson ? stored() : await measure();
const complete = fromJson || (only.length === 0 && !quick);
const outDir = complete ? benchDir : join(benchDir, "out");
const mdPath = complete ? join(repoRoot, "BENCHMARKS.md") : join(outDir, "BENCHMARKS.md");
const figDir = join(outDir, "figures");
const jsonPath = join(outDir, "bench-results.json");
mkdirSync(figDir, { recursive: true });
for (const s of report.sections) {
  for (const f of s.figures ?? []) writeFileSync(join(figDir, `${f.name}.svg`), f.svg);
}
writeFileSync(jsonPath, `${JSON.stringify(report, null, 1)}\n`);
writeFileSync(
  mdPath,
  renderMarkdown(report, (name) => relative(dirname(mdPath), join(figDir, `${name}.svg`))),
);

// The package READMEs quote the committed run only (readmes.ts): a partial or --quick run leaves them.
const readmes = complete ? updateReadmes(report, repoRoot) : [];

const { targets, wallSeconds } = report;
process.stdout.write(
  `\n## Summary\n\n${formatTable({
    caption: `Targets: ${targetSummary(targets)}.`,
    columns: ["issue", "target", "measured", "status"],
    rows: [...targets]
      .sort((a, b) => a.issue - b.issue)
      .map((t) => [`#${t.issue}`, t.target, t.measured, targetStatus(t.met)]),
  })}\n` +
    (skipped.length > 0 ? `Suites not present (skipped): ${skipped.join(", ")}.\n` : "") +
    `Wall time${fromJson ? " of the stored run" : ""}: ${wallSeconds.toFixed(1)} s${wallSeconds > 600 ? " (over the 10-minute budget)" : ""}. ` +
    `Wrote ${relative(repoRoot, mdPath)}, ${relative(repoRoot, jsonPath)} and ${relative(repoRoot, figDir)}/` +
    `${readmes.length > 0 ? `; updated ${readmes.join(", ")}` : ""}.\n`,
);

/**
 * The package READMEs' measured numbers, generated from one committed bench run
 * (apps/bench/bench-results.json) so that none is typed by hand (issue 23). A README marks each
 * generated span with `<!-- bench:ID -->…<!-- /bench:ID -->` (inline, or around a block on lines
 * of their own); `updateReadmes` rewrites what is between the markers and leaves everything else.
 * `pnpm bench` runs it after a full run (and after `--from-json`); `pnpm bench:readmes` runs it
 * alone; readmes.test.ts fails when a README is out of step with the committed run.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchReport, SectionResult } from "./markdown.js";
import { type BenchTable, formatNumber, formatTable, targetStatus } from "./report.js";

/** One generated span: which README, its marker id, and its text from a report. */
export interface ReadmeFragment {
  /** Path from the repository root. */
  file: string;
  id: string;
  /** A block (own lines, markdown) or an inline phrase. */
  block: boolean;
  render(r: BenchReport): string;
}

const NOT_IN_RUN = "(not in the committed bench run yet: regenerate with `pnpm bench`)";

function section(r: BenchReport, suite: string): SectionResult | undefined {
  return r.sections.find((s) => s.suite === suite && s.error === undefined);
}

/** "the committed run of 2026-11-26 (BENCHMARKS.md)", the provenance every fragment quotes. */
export function runLabel(r: BenchReport): string {
  return `the committed bench run of ${r.machine.date.slice(0, 10)} ([BENCHMARKS.md](../../BENCHMARKS.md))`;
}

interface Measured {
  name: string;
  info?: {
    forward?: { naccept?: number; rhsEvals?: number };
    backward?: { naccept?: number; vjpEvals?: number };
  };
  relativeError?: number;
}

/** A method's measurements in the gradient suite's (model, reltol) group. */
function gradientMethod(r: BenchReport, model: string, reltol: number, name: string): Measured | undefined {
  const data = section(r, "gradient")?.data as
    | { groups?: { model: string; reltol: number; measured: Measured[] }[] }
    | undefined;
  const g = data?.groups?.find((x) => x.model === model && x.reltol === reltol);
  return g?.measured.find((m) => m.name === name);
}

/** The kernels suite's tables with the run they came from and issue 10's targets. */
function kernelsTables(r: BenchReport): string {
  const s = section(r, "kernels");
  if (s === undefined) return NOT_IN_RUN;
  const m = r.machine;
  const head =
    `From ${runLabel(r)}: \`pnpm bench\`, ${m.cpu} (${m.cores} cores), Node ${m.node}, ` +
    "on a machine shared with other jobs (absolute numbers vary between runs more than ratios within a row do).";
  const tables = s.tables.map((t: BenchTable) => {
    const [name, ...rest] = t.caption.split(":");
    return formatTable({ ...t, caption: `**${name}**:${rest.join(":")}` });
  });
  const targets = r.targets
    .filter((t) => t.issue === 10 && /matmul|matvec/.test(t.target))
    .map((t) => `- ${t.target}: ${t.measured} (${targetStatus(t.met)})`);
  return [
    head,
    ...tables.map((t) => t.trimEnd()),
    "Issue 10's kernel targets in that run:",
    targets.join("\n"),
  ].join("\n\n");
}

/** "matmul is 26× and matvec 12× faster" at n = 100 against the suite's plain JS loops. */
function kernelsVsPlain(r: BenchReport): string {
  const s = section(r, "kernels");
  const ratio = (kernel: string) => {
    const t = s?.tables.find((x) => x.caption.startsWith(`${kernel}:`));
    const row = t?.rows.find((x) => x[0] === 100);
    const wasm = t?.columns.indexOf("wasm (arena) GFLOP/s") ?? -1;
    const plain = t?.columns.indexOf("plain JS GFLOP/s") ?? -1;
    if (row === undefined || wasm < 0 || plain < 0) return undefined;
    return Number(row[wasm]) / Number(row[plain]);
  };
  const mm = ratio("matmul");
  const mv = ratio("matvec");
  if (mm === undefined || mv === undefined) return NOT_IN_RUN;
  return `At n = 100, matmul is ${mm.toFixed(0)}× and matvec ${mv.toFixed(0)}× faster than the plain JS loops of the same rows, in ${runLabel(r)}`;
}

/** The seed linear loss and gradient through solveLinearOde, as the linear-ode suite timed it. */
function linearOdeSeedGradient(r: BenchReport): string {
  const d = section(r, "linear-ode")?.data as
    | { seedGradient?: { eager: { median: number }; compiled: { median: number } } }
    | undefined;
  if (d?.seedGradient === undefined) return NOT_IN_RUN;
  return `${formatNumber(d.seedGradient.eager.median)} ms median with the eager tape and ${formatNumber(d.seedGradient.compiled.median)} ms compiled in ${runLabel(r)}, linear-ode suite`;
}

/** Forward and backward steps of InterpolatingAdjoint on the seed linear model (Tsit5, 1e-6). */
function odeSeedSteps(r: BenchReport): string {
  const m = gradientMethod(r, "linear", 1e-6, "InterpolatingAdjoint");
  const f = m?.info?.forward?.naccept;
  const b = m?.info?.backward?.naccept;
  if (f === undefined || b === undefined) return NOT_IN_RUN;
  return `seed linear model, Tsit5 at reltol 1e-6: ${f} forward steps, ${b} backward, in ${runLabel(r)}`;
}

/** DiscreteAdjoint's evaluations and VJPs on the seed linear model (Tsit5, 1e-6). */
function odeDiscreteEvals(r: BenchReport): string {
  const m = gradientMethod(r, "linear", 1e-6, "DiscreteAdjoint");
  const f = m?.info?.forward?.rhsEvals;
  const v = m?.info?.backward?.vjpEvals;
  if (f === undefined || v === undefined) return `seed linear: ${NOT_IN_RUN}`;
  return `seed linear, Tsit5 at 1e-6: ${f} evaluations, ${v} VJPs, in ${runLabel(r)}`;
}

/** DiscreteAdjoint's and InterpolatingAdjoint's gradient errors on the seed linear model. */
function odeDiscreteError(r: BenchReport): string {
  const da = gradientMethod(r, "linear", 1e-6, "DiscreteAdjoint")?.relativeError;
  const ia = gradientMethod(r, "linear", 1e-6, "InterpolatingAdjoint")?.relativeError;
  if (da === undefined || ia === undefined) return `seed linear: ${NOT_IN_RUN}`;
  return `seed linear, Tsit5 at 1e-6: relative error ${da.toExponential(1)} where InterpolatingAdjoint gives ${ia.toExponential(1)}, in ${runLabel(r)}`;
}

export const FRAGMENTS: readonly ReadmeFragment[] = [
  { file: "packages/kernels/README.md", id: "kernels-tables", block: true, render: kernelsTables },
  { file: "packages/kernels/README.md", id: "kernels-vs-plain", block: false, render: kernelsVsPlain },
  { file: "packages/linear-ode/README.md", id: "seed-gradient", block: false, render: linearOdeSeedGradient },
  { file: "packages/ode/README.md", id: "seed-steps", block: false, render: odeSeedSteps },
  { file: "packages/ode/README.md", id: "discrete-evals", block: false, render: odeDiscreteEvals },
  { file: "packages/ode/README.md", id: "discrete-error", block: false, render: odeDiscreteError },
];

/** A README's text with every fragment of that file re-rendered; throws on a missing marker. */
export function applyFragments(file: string, text: string, r: BenchReport): string {
  let out = text;
  for (const f of FRAGMENTS.filter((x) => x.file === file)) {
    const open = `<!-- bench:${f.id} -->`;
    const close = `<!-- /bench:${f.id} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) {
      throw new Error(
        `${file} has no "${open}" … "${close}" markers; add them where the generated text goes.`,
      );
    }
    const body = f.block ? `\n\n${f.render(r).trimEnd()}\n\n` : f.render(r);
    out = out.slice(0, start + open.length) + body + out.slice(end);
  }
  return out;
}

/** The files FRAGMENTS writes into. */
export const README_FILES: readonly string[] = [...new Set(FRAGMENTS.map((f) => f.file))];

/** Rewrites the generated spans of every README from `r`; returns the files whose text changed. */
export function updateReadmes(r: BenchReport, repoRoot: string): string[] {
  const changed: string[] = [];
  for (const file of README_FILES) {
    const path = join(repoRoot, file);
    const before = readFileSync(path, "utf8");
    const after = applyFragments(file, before, r);
    if (after !== before) {
      writeFileSync(path, after);
      changed.push(file);
    }
  }
  return changed;
}

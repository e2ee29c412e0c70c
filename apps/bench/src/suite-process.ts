/**
 * One benchmark suite in a Node process of its own (run.ts forks this file per suite), so that
 * no suite measures in a heap, buffer pool or arena that the suites before it left behind. Found
 * on gradbench's ode eval: its n = 10⁵ rows ran 1.5–2.7× slower at the end of a full run than
 * alone, until each suite got its own process.
 *
 * Usage (by run.ts): suite-process.ts <suite file> <context JSON> <result file>. Writes the
 * suite's section (and its process's peak resident set size) to the result file as JSON.
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { BenchContext, BenchSection, BenchSuite } from "./report.js";

export interface SuiteOutcome {
  section?: BenchSection;
  error?: string;
  peakRssMiB: number;
}

const [file, context, resultFile] = process.argv.slice(2);
const ctx = JSON.parse(context) as BenchContext;
const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
const entry = Object.entries(mod).find(([k, v]) => k.endsWith("Suite") && typeof v === "function");
let outcome: SuiteOutcome;
try {
  if (entry === undefined) throw new Error(`${file} exports no function named …Suite`);
  const section = await (entry[1] as BenchSuite)(ctx);
  outcome = { section, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
} catch (e) {
  const err = e as Error;
  process.stderr.write(`${err.stack ?? err.message}\n`);
  outcome = { error: `${err.name}: ${err.message}`, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}
// Non-finite numbers survive as their names (JSON has none): table cells print the same.
writeFileSync(
  resultFile,
  JSON.stringify(outcome, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v)),
);

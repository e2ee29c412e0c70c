/**
 * `pnpm bench`: runs every benchmark suite in one process and prints a summary.
 * Each suite lives in ./suites/<area>.ts and returns a BenchSection.
 */
import { type BenchSection, type BenchSuite, formatTable } from "./report.js";
import { autodiffSuite } from "./suites/autodiff.js";
import { kernelsSuite } from "./suites/kernels.js";

const SUITES: Record<string, BenchSuite> = {
  kernels: kernelsSuite,
  autodiff: autodiffSuite,
};

const only = process.argv.slice(2);
for (const [name, suite] of Object.entries(SUITES)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const section: BenchSection = await suite();
  process.stdout.write(`\n## ${section.title}\n\n${section.tables.map(formatTable).join("\n")}`);
  for (const note of section.notes ?? []) process.stdout.write(`- ${note}\n`);
}

/**
 * `pnpm bench:readmes`: regenerates the package READMEs' measured numbers from the committed
 * run (apps/bench/bench-results.json) without measuring anything (see readmes.ts).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchReport } from "./markdown.js";
import { updateReadmes } from "./readmes.js";

const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const report = JSON.parse(readFileSync(join(benchDir, "bench-results.json"), "utf8")) as BenchReport;
const changed = updateReadmes(report, join(benchDir, "..", ".."));
process.stdout.write(
  changed.length === 0
    ? `READMEs already match the run of ${report.machine.date}.\n`
    : `Updated from the run of ${report.machine.date}: ${changed.join(", ")}\n`,
);

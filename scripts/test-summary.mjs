// Prints CI's closing line "N passed, N failed" from vitest's JSON report.
// Failed CI steps other than the tests (lint, typecheck, ...) count as failures too,
// and a missing report (tests never ran) counts as one failure.
import { existsSync, readFileSync } from "node:fs";

const [reportPath, otherFailuresArg = "0"] = process.argv.slice(2);
const otherFailures = Number(otherFailuresArg);
let passed = 0;
let failed = 0;
if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  passed = report.numPassedTests;
  failed = report.numFailedTests + (report.numRuntimeErrors ?? 0);
  if (report.numTotalTests === 0) failed += 1;
} else {
  failed = 1;
}
console.log(`${passed} passed, ${failed + otherFailures} failed`);
process.exit(failed + otherFailures > 0 ? 1 : 0);

/**
 * Measures the whole stiff gradient bank (long cases included): every Rosenbrock solver ×
 * DiscreteAdjoint / InterpolatingAdjoint / QuadratureAdjoint / ForwardSensitivity × reltol 1e-6, 1e-8, printing
 * error, backward/forward step ratio and time (wall, and CPU: the machine may be shared). Not a
 * test (tens of minutes of work).
 * Run from the repository root:
 *   node --conditions=@udekit/source --import tsx packages/ode/scripts/measure-stiff-gradient-bank.ts [case …]
 */
import { STIFF_GRADIENT_BANK, stiffGradientError } from "../src/conformance/index.js";
import {
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
} from "../src/sensitivity/index.js";
import { ALL_SOLVERS } from "../src/solvers/index.js";

const only = process.argv.slice(2);
const solvers = ALL_SOLVERS.filter((s) => s.family === "rosenbrock");
const sensealgs = [DiscreteAdjoint(), InterpolatingAdjoint(), QuadratureAdjoint(), ForwardSensitivity()];
const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));
console.log(
  "| problem | solver | reltol | sensealg | rel. error | max entry | loss error | ratio | fwd steps | bwd steps | wall s | CPU s | retcode |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const problem of STIFF_GRADIENT_BANK) {
  if (only.length > 0 && !only.includes(problem.name)) continue;
  for (const solver of solvers) {
    for (const reltol of [1e-6, 1e-8]) {
      for (const alg of sensealgs) {
        const cpu0 = process.cpuUsage();
        const r = stiffGradientError(problem, solver, alg, reltol, reltol * problem.abstolScale);
        const cpu = process.cpuUsage(cpu0);
        console.log(
          `| ${problem.name} | ${solver.name} | ${reltol} | ${alg.kind} | ${fmt(r.relativeError)} | ${fmt(r.maxEntryError)} | ${fmt(r.lossError)} | ${r.ratio.toFixed(2)} | ${r.forwardSteps} | ${r.backwardSteps} | ${r.seconds.toFixed(2)} | ${((cpu.user + cpu.system) / 1e6).toFixed(2)} | ${r.retcode}${r.retcode === "Success" ? "" : ` (${r.message.slice(0, 120)})`} |`,
        );
      }
    }
  }
}

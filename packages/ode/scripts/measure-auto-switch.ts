/**
 * Measures the automatic composites on the stiff gradient bank's problems (forward solves):
 * AutoTsit5(Rosenbrock23()) against AutoTsit5(Rodas5P()) at (reltol, abstol) = (1e-3, 1e-6) and
 * (1e-6, 1e-6·abstolScale), printing accepted steps, RHS evaluations, LU factorisations, the
 * largest mixed error against the bank's reference states and the best of three wall times.
 * The default solver (solvers/index.ts, defaultSolver) was chosen from this table.
 * Run from the repository root:
 *   node --conditions=@udekit/source --import tsx packages/ode/scripts/measure-auto-switch.ts
 */
import { STIFF_GRADIENT_BANK } from "../src/conformance/index.js";
import { ODEProblem } from "../src/problem.js";
import type { ODESolution } from "../src/solution.js";
import { solve } from "../src/solve.js";
import { AutoTsit5, Rodas5P, Rosenbrock23 } from "../src/solvers/index.js";

const solvers = [AutoTsit5(Rosenbrock23()), AutoTsit5(Rodas5P())];
console.log(
  `| problem | t1 | reltol | ${solvers.map((s) => `${s.name}: steps / f / LU / error / ms`).join(" | ")} |`,
);
console.log(`|---|---|---|${solvers.map(() => "---").join("|")}|`);
const seen = new Set<string>();
for (const prob of STIFF_GRADIENT_BANK) {
  // Cases that differ only in their save points solve the same problem.
  const key = `${prob.family} ${prob.tspan[1]}`;
  if (seen.has(key)) continue;
  seen.add(key);
  const problem = new ODEProblem(prob.rhs, prob.u0, prob.tspan, prob.p, { kind: "tensor" });
  for (const [reltol, abstol] of [
    [1e-3, 1e-6],
    [1e-6, 1e-6 * prob.abstolScale],
  ]) {
    const cells: string[] = [];
    for (const solver of solvers) {
      let best = Number.POSITIVE_INFINITY;
      let sol: ODESolution | undefined;
      for (let r = 0; r < 3; r++) {
        const start = performance.now();
        sol = solve(problem, solver, { reltol, abstol, saveat: prob.saveat });
        best = Math.min(best, performance.now() - start);
      }
      const s = sol as ODESolution;
      let err = 0;
      prob.states.forEach((row, i) => {
        row.forEach((ref, k) => {
          err = Math.max(err, Math.abs(s.state(i)[k] - ref) / (Math.abs(ref) + abstol / reltol));
        });
      });
      const { naccept, nf, nlu } = s.stats;
      cells.push(
        `${s.retcode === "Success" ? "" : `${s.retcode} `}${naccept} / ${nf} / ${nlu} / ${err.toExponential(1)} / ${best.toFixed(1)}`,
      );
    }
    console.log(`| ${prob.name} | ${prob.tspan[1]} | ${reltol} | ${cells.join(" | ")} |`);
  }
}

/**
 * @udekit/ode/conformance — the suite every solver in ALL_SOLVERS passes. A contributor
 * adding a method runs `runConformance(MyMethod())` (or the package's conformance test,
 * which loops over ALL_SOLVERS) and reads the report; see CONTRIBUTING.md.
 */
import type { OdeSolver } from "../stepper.js";
import {
  type CheckResult,
  checkConvergence,
  checkDenseOutput,
  checkRetcodes,
  checkReversibility,
  checkStats,
  checkTableau,
} from "./checks.js";
import {
  type AnalyticProblem,
  detestA2Problem,
  expSinProblem,
  nonlinearRotationProblem,
  rationalProblem,
} from "./problems.js";

export {
  type CheckResult,
  checkConvergence,
  checkDenseOutput,
  checkRetcodes,
  checkReversibility,
  checkStats,
  checkTableau,
  fittedSlope,
  SLOPE_TOLERANCE,
} from "./checks.js";
export {
  type AnalyticProblem,
  detestA2Problem,
  expSinProblem,
  logisticProblem,
  nonlinearRotationProblem,
  rationalProblem,
  rotationProblem,
} from "./problems.js";
export {
  STIFF_GRADIENT_BANK,
  type StiffGradientCase,
  type StiffGradientProblem,
  type StiffGradientResult,
  stiffGradientError,
  stiffGradientLoss,
} from "./stiff-gradient-bank.js";

/**
 * The problems of the convergence check: a non-autonomous linear one for every method, and
 * a nonlinear one — the nonlinear rotation for explicit methods, the nonlinear non-autonomous
 * rational problem for Rosenbrock methods (which also exercises the ∂f/∂t terms). Rodas4 is
 * not run on the rotation: there its global error has competing h⁴ and h⁵ terms, and the
 * slope approaches 4 only below ~1e-12 where rounding takes over (slopes 3.2 → 3.86 for
 * N = 128 … 1024, reproduced by an independent numpy implementation of the same tableau).
 *
 * Methods of order ≥ 9 (Vern9) run on DETEST A2 instead. On the two problems above their
 * order-9 regime lies below double rounding: Verner's optimised leading error coefficients are
 * tiny (Vern9's order-10 condition residuals are ≤ 1.8e-6), so down to errors of ~1e-13 the
 * measured slope is that of the next terms — 10.06 on the linear problem (local slopes
 * 10.3 → 9.6 as rounding takes over) and 7.71 on the rotation (local slopes 6.5 → 8.8, rising
 * towards 9). On A2, whose error terms are ordered by the singularity at t = −1, the local
 * slopes are 9.06, 8.87, 8.80, 8.98 for N = 16 … 64 steps (errors 1e-6 … 4.5e-12) and 9.22,
 * 9.27 below the rounding floor. The order conditions themselves are checked exactly by the
 * tableau check.
 */
export function convergenceProblems(solver: OdeSolver): AnalyticProblem[] {
  if (solver.order >= 9) return [detestA2Problem()];
  return [expSinProblem([0, 3], 3), solver.stiff ? rationalProblem(3, 3) : nonlinearRotationProblem(1.7, 3)];
}

export interface ConformanceReport {
  solver: string;
  ok: boolean;
  checks: CheckResult[];
}

/** Every conformance check for one solver. */
export function runConformance(solver: OdeSolver): ConformanceReport {
  const checks = [
    checkTableau(solver),
    ...convergenceProblems(solver).map((ap) => checkConvergence(solver, ap)),
    checkDenseOutput(solver),
    checkReversibility(solver),
    checkStats(solver),
    checkRetcodes(solver),
  ];
  return { solver: solver.name, ok: checks.every((c) => c.ok), checks };
}

/** The report as text, one line per check. */
export function formatConformance(report: ConformanceReport): string {
  const lines = report.checks.map((c) => `  ${c.ok ? "ok  " : "FAIL"} ${c.check}: ${c.detail}`);
  return `${report.solver}: ${report.ok ? "conforms" : "DOES NOT CONFORM"}\n${lines.join("\n")}`;
}

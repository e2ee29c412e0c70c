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
  expSinProblem,
  logisticProblem,
  nonlinearRotationProblem,
  rationalProblem,
  rotationProblem,
} from "./problems.js";

/**
 * The problems of the convergence check: a non-autonomous linear one for every method, and
 * a nonlinear one — the nonlinear rotation for explicit methods, the nonlinear non-autonomous
 * rational problem for Rosenbrock methods (which also exercises the ∂f/∂t terms). Rodas4 is
 * not run on the rotation: there its global error has competing h⁴ and h⁵ terms, and the
 * slope approaches 4 only below ~1e-12 where rounding takes over (slopes 3.2 → 3.86 for
 * N = 128 … 1024, reproduced by an independent numpy implementation of the same tableau).
 */
export function convergenceProblems(solver: OdeSolver): AnalyticProblem[] {
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

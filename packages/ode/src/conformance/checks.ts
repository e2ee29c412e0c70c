/**
 * The conformance checks every solver in ALL_SOLVERS passes (and a contributor's new method
 * must pass): tableau consistency and order conditions, empirical convergence order, dense
 * output exactness and order, reversibility, stats sanity, and retcodes on forced failures.
 * Each check returns a result with the measured numbers instead of throwing, so that a test
 * can assert on it and a report can print it.
 */
import { init } from "../integrator.js";
import { ODEProblem } from "../problem.js";
import { rosenbrockOrder, toClassical } from "../rosenbrock/tableau.js";
import { sdirkStability } from "../sdirk/tableau.js";
import type { SolverStats } from "../solution.js";
import { solve } from "../solve.js";
import {
  type ErkSolver,
  type OdeSolver,
  type RosenbrockSolver,
  type SdirkSolver,
  unknownFamily,
} from "../stepper.js";
import { satisfiedDenseOrder, satisfiedOrder } from "../tableau/order-conditions.js";
import { type AnalyticProblem, expSinProblem, logisticProblem, rotationProblem } from "./problems.js";

export interface CheckResult {
  check: string;
  ok: boolean;
  /** What was measured, in words and numbers. */
  detail: string;
  /** Measured values for reports. */
  values?: Record<string, number>;
}

/** Slope tolerance of the convergence and dense-order checks (issue 4: ±0.2). */
export const SLOPE_TOLERANCE = 0.2;

/**
 * Errors below this are dominated by rounding and excluded from fits: N steps of
 * ε ≈ 2.2e-16 on solutions of size ≤ 3 accumulate up to ~N·ε·3 (the factor 10 is a margin),
 * and never below 1e-12.
 */
function roundingFloor(N: number): number {
  return Math.max(1e-12, 10 * N * Number.EPSILON);
}
const ROUNDING_FLOOR = 1e-12;
/** Points of the fit: the smallest steps above the floor (h spaced by √2, so 4 points span a factor 2.8 in h). */
const FIT_POINTS = 4;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Least-squares slope of log(err) against log(h). */
export function fittedSlope(h: number[], err: number[]): number {
  const x = h.map(Math.log);
  const y = err.map(Math.log);
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i] - mx) * (y[i] - my);
    den += (x[i] - mx) ** 2;
  }
  return num / den;
}

/**
 * Tableau consistency and order conditions (explicit RK and SDIRK: rooted trees; Rosenbrock:
 * HW II Table 7.1 up to order 3); for SDIRK also L-stability (|R(z)| ≤ 1 on the imaginary axis,
 * R(−∞) = 0), which its engine's `stiff: true` promises.
 */
export function checkTableau(solver: OdeSolver): CheckResult {
  switch (solver.family) {
    case "erk":
      return erkTableau(solver);
    case "rosenbrock":
      return rosenbrockTableauCheck(solver);
    case "sdirk":
      return sdirkTableauCheck(solver);
    case "composite":
      return {
        check: "tableau order conditions",
        ok: false,
        detail: "a composite has no tableau of its own; check its members",
      };
    default:
      return unknownFamily(solver, "checkTableau");
  }
}

function erkTableau(solver: ErkSolver): CheckResult {
  const t = solver.tableau;
  const dense = solver.dense;
  const p = satisfiedOrder(t.a, t.totalStages, t.b, solver.order + 1);
  const pHat =
    t.bErr === undefined
      ? 0
      : satisfiedOrder(
          t.a,
          t.totalStages,
          Array.from(t.b, (v, i) => v - (t.bErr as Float64Array)[i]),
          solver.embeddedOrder + 1,
        );
  const q = satisfiedDenseOrder(t.a, t.totalStages, dense.coeffs, dense.degree, dense.order + 1);
  const ok = p === solver.order && pHat === solver.embeddedOrder && q === dense.order;
  return {
    check: "tableau order conditions",
    ok,
    detail: `order conditions hold to order ${p} (declared ${solver.order}), embedded ${pHat} (declared ${solver.embeddedOrder}), dense output ${q} (declared ${dense.order})`,
    values: { order: p, embeddedOrder: pHat, denseOrder: q },
  };
}

function rosenbrockTableauCheck(solver: RosenbrockSolver): CheckResult {
  const tab = solver.tableau;
  const p = rosenbrockOrder(tab);
  const { Gamma, b } = toClassical(tab);
  const s = tab.stages;
  const bErr = Array.from({ length: s }, (_, j) => {
    let acc = 0;
    for (let i = 0; i < s; i++) acc += tab.mErr[i] * Gamma[i * s + j];
    return acc;
  });
  const pHat = rosenbrockOrder(
    tab,
    b.map((v, i) => v - bErr[i]),
  );
  const ok = p === Math.min(3, solver.order) && pHat === Math.min(3, solver.embeddedOrder);
  return {
    check: "tableau order conditions",
    ok,
    detail: `Rosenbrock conditions (checked to order 3) hold to order ${p} for the solution (declared ${solver.order}) and ${pHat} for the embedded one (declared ${solver.embeddedOrder})`,
    values: { order: p, embeddedOrder: pHat },
  };
}

/**
 * SDIRK: rooted-tree conditions on the full A, and samples of A- and L-stability: |R(iy)| ≤ 1 for
 * y = 10^(k/4), k = −12 … 32 (R(−iy) is the conjugate), and |R(−10⁶)| ≤ 10⁻⁴ (an L-stable R
 * decays like c/|z|: TRBDF2's is 4.8e-6 there; an A-stable one that is not L-stable, like the
 * trapezoidal rule's −1, stays away from 0). Farther out, 1 + z·bᵀ(I − zA)⁻¹𝟙 loses ε·|z| to
 * cancellation.
 */
function sdirkTableauCheck(solver: SdirkSolver): CheckResult {
  const t = solver.tableau;
  const dense = solver.dense;
  const s = t.stages;
  const p = satisfiedOrder(t.a, s, t.b, solver.order + 1);
  const pHat = satisfiedOrder(
    t.a,
    s,
    Array.from(t.b, (v, i) => v - t.bErr[i]),
    solver.embeddedOrder + 1,
  );
  const q = satisfiedDenseOrder(t.a, s, dense.coeffs, dense.degree, dense.order + 1);
  let imagMax = 0;
  for (let k = -12; k <= 32; k++) {
    const [re, im] = sdirkStability(t, 0, 10 ** (k / 4));
    imagMax = Math.max(imagMax, Math.hypot(re, im));
  }
  const [re, im] = sdirkStability(t, -1e6, 0);
  const atInfinity = Math.hypot(re, im);
  const lStable = imagMax <= 1 + 1e-12 && atInfinity <= 1e-4;
  const ok = p === solver.order && pHat === solver.embeddedOrder && q === dense.order && lStable;
  return {
    check: "tableau order conditions",
    ok,
    detail: `order conditions hold to order ${p} (declared ${solver.order}), embedded ${pHat} (declared ${solver.embeddedOrder}), dense output ${q} (declared ${dense.order}); max |R(iy)| = ${imagMax.toFixed(15)}, |R(−10⁶)| = ${atInfinity.toExponential(1)} (L-stable: ≤ 1 and ≤ 1e-4)`,
    values: { order: p, embeddedOrder: pHat, denseOrder: q, imagMax, atInfinity },
  };
}

/** Step counts 4·2^(k/2), up to 2^21 (Euler needs ~10⁶ steps to get below 1e-3 on the harder problems). */
function stepCounts(_T: number): number[] {
  const out: number[] = [];
  for (let k = 0; k <= 38; k++) out.push(Math.round(4 * 2 ** (k / 2)));
  return out;
}

/** True when the local slopes between the last FIT_POINTS points agree within 0.1 (asymptotic regime reached). */
function slopesSettled(hs: number[], errs: number[]): boolean {
  if (hs.length < FIT_POINTS) return false;
  const local: number[] = [];
  for (let i = hs.length - FIT_POINTS + 1; i < hs.length; i++) {
    local.push(Math.log(errs[i - 1] / errs[i]) / Math.log(hs[i - 1] / hs[i]));
  }
  return Math.max(...local) - Math.min(...local) <= 0.1;
}

/** Max over step ends of the global error of a fixed-step solve with N steps (no storage: walks the integrator). */
function fixedStepError(solver: OdeSolver, ap: AnalyticProblem, N: number): number {
  const [t0, t1] = ap.problem.tspan;
  const integ = init(ap.problem, solver, {
    adaptive: false,
    dt: (t1 - t0) / N,
    dense: false,
    maxiters: N + 10,
  });
  const ex = new Float64Array(ap.problem.n);
  let err = 0;
  while (integ.step()) err = Math.max(err, maxAbsDiff(integ.u, ap.exact(integ.t, ex)));
  return integ.retcode === "Success" ? err : Number.NaN;
}

/**
 * Empirical order: fixed-step solves with N = 4·2^(k/2) steps; the slope of log(max global
 * error over the step ends) against log(h), fitted over the four smallest steps whose errors
 * lie in [max(1e-12, 10Nε), 1e-3] (above rounding), must be within ±0.2 of the declared
 * order. Refinement stops early once the local slopes of the last four points agree within
 * 0.1 (the asymptotic regime), which keeps low-order methods cheap. (The max over the grid, not the end value alone, so that an error changing
 * sign at the end time cannot fake a slope.)
 */
export function checkConvergence(
  solver: OdeSolver,
  ap: AnalyticProblem = expSinProblem([0, 3], 3),
): CheckResult {
  const T = ap.problem.tspan[1] - ap.problem.tspan[0];
  const hs: number[] = [];
  const errs: number[] = [];
  for (const N of stepCounts(T)) {
    const err = fixedStepError(solver, ap, N);
    if (err < roundingFloor(N)) break;
    // NaN (a step too large for stability) or above 1e-3: not yet asymptotic, refine.
    if (err <= 1e-3) {
      hs.push(T / N);
      errs.push(err);
    }
    if (slopesSettled(hs, errs)) break;
  }
  // The asymptotic regime: the FIT_POINTS smallest steps whose errors are above the floor.
  hs.splice(0, Math.max(0, hs.length - FIT_POINTS));
  errs.splice(0, Math.max(0, errs.length - FIT_POINTS));
  if (hs.length < 3) {
    return {
      check: `convergence order (${ap.name})`,
      ok: false,
      detail: `only ${hs.length} errors fell inside [${ROUNDING_FLOOR}, 1e-3]`,
    };
  }
  const slope = fittedSlope(hs, errs);
  return {
    check: `convergence order (${ap.name})`,
    ok: Math.abs(slope - solver.order) <= SLOPE_TOLERANCE,
    detail: `fitted slope ${slope.toFixed(3)} over h ∈ [${hs[hs.length - 1].toExponential(2)}, ${hs[0].toExponential(2)}] (declared order ${solver.order})`,
    values: { slope, points: hs.length },
  };
}

/**
 * Dense output: (a) at θ = 0 and θ = 1 it reproduces the step's end points (to rounding);
 * (b) inside steps its error, max over θ ∈ {0.2, 0.5, 0.8} of every step, decreases with
 * slope ≥ min(q + 1, p) − 0.2 (local interpolation error O(h^(q+1)) plus global error O(h^p)).
 * The default problem is u' = 3cos(3t)u on [0, 2]: on the gentler u' = cos(t)u an order-9
 * method falls below the rounding floor after two step counts (no slope to fit).
 */
export function checkDenseOutput(
  solver: OdeSolver,
  ap: AnalyticProblem = expSinProblem([0, 2], 3),
): CheckResult {
  const n = ap.problem.n;
  const out = new Float64Array(n);
  const ex = new Float64Array(n);
  // (a) end-point exactness, on an adaptive (or fixed) solve through the integrator.
  const integ = init(ap.problem, solver, solver.adaptive ? { reltol: 1e-6, abstol: 1e-8 } : { dt: 0.05 });
  let endErr = 0;
  while (integ.step()) {
    integ.interpolate(integ.t, out);
    endErr = Math.max(endErr, maxAbsDiff(out, integ.u) / (1 + maxAbsDiff(integ.u, new Float64Array(n))));
    integ.interpolate(integ.tPrev, out);
    endErr = Math.max(endErr, maxAbsDiff(out, integ.uPrev));
  }
  // (b) order inside steps.
  const [t0, t1] = ap.problem.tspan;
  const T = t1 - t0;
  const q = solver.interpolant.order;
  const expected = Math.min(q + 1, solver.order);
  const hs: number[] = [];
  const errs: number[] = [];
  for (const N of stepCounts(T)) {
    const sol = solve(ap.problem, solver, { adaptive: false, dt: T / N, dense: true });
    // An implicit method's Newton iteration may fail at the largest steps (retcode Failure, as
    // a non-finite step in checkConvergence): not yet asymptotic, refine.
    if (sol.retcode !== "Success") continue;
    let err = 0;
    for (let k = 0; k < N; k++) {
      for (const theta of [0.2, 0.5, 0.8]) {
        const t = t0 + (k + theta) * (T / N);
        err = Math.max(err, maxAbsDiff(sol.at(t, out), ap.exact(t, ex)));
      }
    }
    if (err < ROUNDING_FLOOR || N > 20000) break;
    if (err <= 1e-3) {
      hs.push(T / N);
      errs.push(err);
    }
  }
  hs.splice(0, Math.max(0, hs.length - FIT_POINTS));
  errs.splice(0, Math.max(0, errs.length - FIT_POINTS));
  const slope = hs.length >= 3 ? fittedSlope(hs, errs) : Number.NaN;
  // End points: the weights at θ = 1 sum to b, so only rounding separates them (coefficients up to ~10³ for Vern7).
  const endOk = endErr <= 1e-12;
  const ok = endOk && slope >= expected - SLOPE_TOLERANCE;
  return {
    check: "dense output",
    ok,
    detail: `end points reproduced to ${endErr.toExponential(1)}; interior error slope ${slope.toFixed(3)} (expected ≥ ${expected} = min(q + 1, p) with interpolant order q = ${q})`,
    values: { endErr, slope },
  };
}

/** Forward then backward in time returns to u0 within 10× the forward global error (plus rounding). */
export function checkReversibility(solver: OdeSolver): CheckResult {
  const ap = rotationProblem([0, 5]);
  const opts = solver.adaptive ? { reltol: 1e-8, abstol: 1e-10 } : { dt: solver.order >= 3 ? 0.01 : 0.001 };
  const fwd = solve(ap.problem, solver, { ...opts, saveEverystep: false, dense: false });
  const uEnd = fwd.state(fwd.t.length - 1);
  const fwdErr = maxAbsDiff(uEnd, ap.exact(5, new Float64Array(2)));
  const back = solve(ap.problem.remake({ u0: uEnd, tspan: [5, 0] }), solver, {
    ...opts,
    saveEverystep: false,
    dense: false,
  });
  const backErr = maxAbsDiff(back.state(back.t.length - 1), ap.problem.u0);
  // The backward leg's error is of the forward error's size; 10× covers growth and cancellation.
  const bound = 10 * fwdErr + 1e-12;
  return {
    check: "reversibility",
    ok:
      fwd.retcode === "Success" &&
      back.retcode === "Success" &&
      back.t[back.t.length - 1] === 0 &&
      backErr <= bound,
    detail: `|u(0 → 5 → 0) − u0| = ${backErr.toExponential(2)} ≤ 10·(forward error ${fwdErr.toExponential(2)})`,
    values: { backErr, fwdErr },
  };
}

/**
 * Stats sanity: stats.nf equals the right-hand-side calls counted independently, and follows
 * the family's cost model (costModel):
 * - explicit RK: nf = 1 + [initial step guess] + (accepted + rejected)(s − 1) + [not FSAL]·accepted;
 * - Rosenbrock: the same, plus n + 2 per Jacobian with finite differences (2 with an analytic
 *   jac: the central difference in t), njac = accepted, nlu = accepted + rejected;
 * - SDIRK: nf = 1 + [guess] + Newton iterations (stats.nnonliniter, one f each) + (n + 1) per
 *   finite-difference Jacobian (f(t, y) afresh, and n columns), njac = accepted,
 *   nlu = accepted + rejected, and (s − 1)·accepted ≤ Newton iterations ≤ 10·(s − 1)·attempts
 *   (at least one, at most ten per implicit stage).
 */
export function checkStats(solver: OdeSolver): CheckResult {
  let calls = 0;
  const ap = logisticProblem();
  for (const useJac of solver.stiff ? [true, false] : [false]) {
    calls = 0;
    const problem = new ODEProblem(
      (du: Float64Array, u: Float64Array, p: Float64Array, t: number) => {
        calls++;
        (ap.problem.f as (du: Float64Array, u: Float64Array, p: Float64Array, t: number) => void)(
          du,
          u,
          p,
          t,
        );
      },
      ap.problem.u0,
      ap.problem.tspan,
      [],
      { jac: useJac ? ap.problem.jac : undefined },
    );
    const opts = solver.adaptive ? { reltol: 1e-7, abstol: 1e-9 } : { dt: 0.01 };
    const sol = solve(problem, solver, opts);
    const validationCall = 1;
    const { nf, naccept, nreject, njac, nlu } = sol.stats;
    const guess = solver.adaptive ? 1 : 0;
    const { expected, jacOk } = costModel(solver, sol.stats, guess, useJac ? 0 : problem.n);
    const counted = calls - validationCall;
    if (!(counted === nf && nf === expected && jacOk && sol.retcode === "Success")) {
      return {
        check: "stats",
        ok: false,
        detail: `${useJac ? "analytic" : "finite-difference"} Jacobian: counted ${counted} f calls, stats.nf = ${nf}, cost model ${expected}; njac ${njac}, nlu ${nlu}, accepted ${naccept}, rejected ${nreject}`,
      };
    }
  }
  return {
    check: "stats",
    ok: true,
    detail: "stats.nf equals the counted f calls and the cost model; njac/nlu consistent",
  };
}

/**
 * The family's cost model for checkStats: the f evaluations a solve with these stats must have
 * made (1 at the start, `guess` for the initial step), and whether njac/nlu are consistent.
 * `fdColumns` is n with a finite-difference Jacobian, 0 with an analytic one.
 */
function costModel(
  solver: OdeSolver,
  stats: SolverStats,
  guess: number,
  fdColumns: number,
): { expected: number; jacOk: boolean } {
  const { naccept, nreject, njac, nlu } = stats;
  const attempts = naccept + nreject;
  switch (solver.family) {
    case "erk":
      return {
        expected: 1 + guess + attempts * (solver.stages - 1) + (solver.fsal ? 0 : naccept),
        jacOk: njac === 0 && nlu === 0,
      };
    case "rosenbrock":
      return {
        expected:
          1 + guess + attempts * (solver.stages - 1) + (solver.fsal ? 0 : naccept) + njac * (fdColumns + 2),
        jacOk: njac === naccept && nlu === attempts,
      };
    case "sdirk": {
      const newton = stats.nnonliniter ?? Number.NaN;
      const implicit = solver.stages - 1;
      return {
        expected: 1 + guess + newton + njac * (fdColumns === 0 ? 0 : fdColumns + 1),
        jacOk:
          njac === naccept &&
          nlu === attempts &&
          newton >= implicit * naccept &&
          newton <= 10 * implicit * attempts,
      };
    }
    case "composite":
      // Not in ALL_SOLVERS (its members are); its steps mix two models.
      return { expected: Number.NaN, jacOk: false };
    default:
      return unknownFamily(solver, "checkStats");
  }
}

/** Forced failures return the right retcode with a partial solution and never throw. */
export function checkRetcodes(solver: OdeSolver): CheckResult {
  const failures: string[] = [];
  const base = expSinProblem([0, 2]).problem;
  const fixed = solver.adaptive ? {} : { dt: 0.01 };
  const maxIters = solve(base, solver, { ...fixed, maxiters: 3 });
  if (maxIters.retcode !== "MaxIters" || maxIters.t[maxIters.t.length - 1] >= 2 || maxIters.t.length < 2) {
    failures.push(`maxiters: 3 gave ${maxIters.retcode} ending at t = ${maxIters.t[maxIters.t.length - 1]}`);
  }
  if (solver.adaptive) {
    const dtmin = solve(base, solver, { reltol: 1e-12, abstol: 1e-12, dtmin: 0.5 });
    if (dtmin.retcode !== "DtLessThanMin" || dtmin.t.length < 1)
      failures.push(`dtmin: 0.5 gave ${dtmin.retcode}`);
  }
  const nanAfter = new ODEProblem(
    (du: Float64Array, u: Float64Array, _p: Float64Array, t: number) => {
      du[0] = t > 0.5 ? Number.NaN : -u[0];
    },
    [1],
    [0, 2],
  );
  const unstable = solve(nanAfter, solver, { ...fixed });
  const tEnd = unstable.t[unstable.t.length - 1];
  // A fixed step may end a rounding error past 0.5 (0.01 added 50 times); the next step meets the NaN.
  if (unstable.retcode !== "Unstable" || !(tEnd <= 0.5 + 1e-12 && tEnd > 0.3)) {
    failures.push(`non-finite RHS after t = 0.5 gave ${unstable.retcode} ending at t = ${tEnd}`);
  }
  return {
    check: "retcodes",
    ok: failures.length === 0,
    detail:
      failures.length === 0
        ? "MaxIters, DtLessThanMin, Unstable as forced, with partial solutions"
        : failures.join("; "),
  };
}

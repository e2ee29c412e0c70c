/**
 * The seed problems at n = 100 and their reference gradients, shared by the suites:
 * - seed linear model: the exact gradient from the matrix exponential and its Fréchet
 *   derivative (scipy), @udekit/ode's fixture test/fixtures/seed-linear-gradient.json;
 * - seed UDE: no closed form exists, so the reference is udekit's own InterpolatingAdjoint with
 *   Vern7 at reltol = 1e-12, abstol = 1e-14 (computed once per run and memoised). Its agreement
 *   with central differences is @udekit/ode's ude.test.ts; here it measures how far the
 *   benchmarked tolerances are from the converged gradient.
 */
import { tensor } from "@udekit/autodiff";
import { InterpolatingAdjoint, Vern7 } from "@udekit/ode";
import { type GradientResult, type LossProblem, linearLossProblem, odeGradient } from "./gradients.js";
import { linearProblem, linearReference, linearRhs, TIMES, UDE_N, udeParams, udeRhs } from "./seed.js";

export const UDE_REFERENCE_TOL = { reltol: 1e-12, abstol: 1e-14, solverName: "Vern7" };

export function seedLinear(): { problem: LossProblem; reference: Float64Array; referenceLoss: number } {
  const lp = linearProblem(100);
  const ref = linearReference(100);
  return {
    problem: linearLossProblem(linearRhs, lp.P, lp.u0, lp.data),
    reference: ref.gradP,
    referenceLoss: ref.loss,
  };
}

export function seedUde(): LossProblem {
  const lp = linearProblem(UDE_N);
  return {
    f: udeRhs,
    u0: tensor(lp.u0, [UDE_N]),
    p: tensor(udeParams()),
    data: tensor(lp.data, [TIMES.length, UDE_N]),
  };
}

let udeRef: { result: GradientResult; ms: number } | undefined;

/** The tight-tolerance InterpolatingAdjoint gradient of the seed UDE loss (memoised). */
export function udeReference(): { result: GradientResult; ms: number } {
  if (udeRef === undefined) {
    const t0 = performance.now();
    const result = odeGradient(
      seedUde(),
      { solver: Vern7(), reltol: UDE_REFERENCE_TOL.reltol, abstol: UDE_REFERENCE_TOL.abstol },
      InterpolatingAdjoint(),
    );
    if (result.failure !== undefined) throw new Error(`UDE reference gradient failed: ${result.failure}`);
    udeRef = { result, ms: performance.now() - t0 };
  }
  return udeRef;
}

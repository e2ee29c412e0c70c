// DiscreteAdjoint's walk over the forward steps where the other tests do not take it: a time
// span solved backward (t from 8 down to 0, so the save points are searched in descending
// order), save points at t0 and on step boundaries next to ones inside steps, for the explicit
// and the Rosenbrock walks. Mutation testing (TESTING.md) found these paths unjudged.
//
// Reference: fourth-order central differences of the discrete solution with the steps frozen
// (fixed steps), independent of the adjoint. Error budget as in discrete-adjoint.test.ts:
// h = 1e-4 for explicit methods (truncation ~h⁴·L⁽⁵⁾/30 ≈ 1e-17, rounding ~1.5·ε·|L|/h ≈ 1e-10),
// bound 1e-8 relative; Rosenbrock methods carry more rounding noise in their loss (LU solves
// in every step), best at h = 3e-4, bound 5e-8 (measured there: 2e-8 for Rodas4).
import { concat, mul, slice, square, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { DP5, RK4, Rodas4, Rodas5P, Tsit5, Vern7, Vern9 } from "../solvers/index.js";
import type { ErkSolver, OdeSolver } from "../stepper.js";
import { DiscreteAdjoint } from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

/** Lotka–Volterra with p = (α, β, γ, δ) and a forcing on x that depends on t. */
const lv = (u: Tensor, p: Tensor, t: Tensor) => {
  const x = slice(u, 0, 1);
  const y = slice(u, 1, 2);
  const [a, b, c, d] = [0, 1, 2, 3].map((i) => slice(p, i, i + 1));
  const forcing = mul(0.1, mul(t, x));
  return concat([sub(sub(mul(a, x), mul(mul(b, x), y)), forcing), sub(mul(mul(d, x), y), mul(c, y))]);
};
const p0 = [1.5, 1, 3, 1];
/** Weights that make every save point's cotangent different (a swapped row changes the loss). */
const weight = (k: number) => 1 + 0.37 * k;

interface Setup {
  tspan: [number, number];
  saveat: number[];
  dt: number;
}

/** [loss, ∂L/∂u0, ∂L/∂p] of Σₖ wₖ·‖u(tₖ)‖² through a fixed-step solve. */
function lossAndGrad(
  solver: OdeSolver,
  { tspan, saveat, dt }: Setup,
  u: number[],
  p: number[],
  { checkpoints, info }: { checkpoints?: number; info?: SolveOdeInfo } = {},
): number[] {
  const w = tensor(
    saveat.flatMap((_, k) => [weight(k), weight(k)]),
    [saveat.length, 2],
  );
  const [v, [gu, gp]] = valueAndGrad(
    (uu: Tensor, pp: Tensor) =>
      sum(
        mul(
          w,
          square(
            solveOde(lv, uu, pp, {
              tspan,
              saveat,
              solver,
              dt,
              adaptive: false,
              sensealg: DiscreteAdjoint(checkpoints === undefined ? {} : { checkpoints }),
              info,
            }),
          ),
        ),
      ),
    [0, 1],
  )(tensor(u), tensor(p));
  return [v.item(), ...gu.data, ...gp.data];
}

function checkAgainstCentralDifferences(
  solver: OdeSolver,
  setup: Setup,
  u0: number[],
  h: number,
  bound: number,
) {
  const g = lossAndGrad(solver, setup, u0, p0);
  const x = [...u0, ...p0];
  for (let i = 0; i < x.length; i++) {
    const at = (delta: number) => {
      const y = x.slice();
      y[i] += delta;
      return lossAndGrad(solver, setup, y.slice(0, 2), y.slice(2))[0];
    };
    const fd = (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h);
    expect(Math.abs(g[1 + i] - fd), `component ${i}: adjoint ${g[1 + i]}, differences ${fd}`).toBeLessThan(
      bound * Math.max(1, Math.abs(fd)),
    );
  }
}

const explicit: [string, OdeSolver][] = [
  ["Tsit5", Tsit5()],
  // Lazy dense-output stages: save points inside steps pull through the recomputed extra stages.
  ["Vern9", Vern9()],
  // Not FSAL: the end stage is f(t₁, y₁), evaluated on acceptance.
  ["RK4", RK4()],
];
const rosenbrock: [string, OdeSolver][] = [
  ["Rodas4", Rodas4()],
  ["Rodas5P", Rodas5P()],
];

// dt = 0.25 is exact in binary, so 2, 4 and 6 are step boundaries; the others fall inside steps.
const forwardSpan: Setup = { tspan: [0, 8], saveat: [0, 0.7, 2, 3.1, 4, 6.05, 8], dt: 0.25 };
// The same kinds of save points, descending: t0 = 8 first, then inside steps and on boundaries.
const backwardSpan: Setup = { tspan: [8, 0], saveat: [8, 7.3, 6, 4.6, 2, 0.9, 0], dt: 0.25 };
// Starting near the forward orbit's state at t = 8 keeps the reversed solve bounded.
const uEnd = [1.2, 0.8];

describe("DiscreteAdjoint against central differences of the discrete solution", () => {
  test.each(explicit)("%s, save points at t0, on step boundaries and inside steps", (_name, solver) => {
    checkAgainstCentralDifferences(solver, forwardSpan, [1, 1], 1e-4, 1e-8);
  });
  test.each(explicit)("%s, time span solved backward (tspan [8, 0])", (_name, solver) => {
    checkAgainstCentralDifferences(solver, backwardSpan, uEnd, 1e-4, 1e-8);
  });
  test.each(rosenbrock)("%s, save points at t0, on step boundaries and inside steps", (_name, solver) => {
    checkAgainstCentralDifferences(solver, forwardSpan, [1, 1], 3e-4, 5e-8);
  });
  test.each(rosenbrock)("%s, time span solved backward (tspan [8, 0])", (_name, solver) => {
    checkAgainstCentralDifferences(solver, backwardSpan, uEnd, 3e-4, 5e-8);
  });
});

// The walk's cost, as its header states it: one backward step per forward step, one VJP per
// stage with a nonzero cotangent, the lazy dense-output stages recomputed only in steps with a
// save point inside, and with checkpoints one recomputation of each segment. Exact counts of
// calls (no tolerance). A walk that pulls zero cotangents back or recomputes more gives the
// same gradient, so only the counts see it.
describe("DiscreteAdjoint's work", () => {
  const end: Setup = { tspan: [0, 8], saveat: [8], dt: 0.25 };
  // In Tsit5, DP5 and RK4 every stage feeds y₁, so every forward evaluation gets a nonzero
  // cotangent except the last step's end stage f(t₁, y₁), which nothing after t = 8 reads.
  test.each([
    ["Tsit5", Tsit5()],
    ["DP5", DP5()],
    ["RK4", RK4()],
  ] as const)(
    "%s: one backward step per forward step, a VJP per forward evaluation but the last",
    (_n, solver) => {
      const info: SolveOdeInfo = {};
      lossAndGrad(solver, end, [1, 1], p0, { info });
      expect(info.backward?.naccept).toBe(info.forward?.naccept);
      expect(info.backward?.vjpEvals).toBe((info.forward?.nf ?? 0) - 1);
      // Stored stages: nothing is evaluated again.
      expect(info.backward?.rhsEvals).toBe(0);
    },
  );

  test.each([
    ["Vern7", Vern7()],
    ["Vern9", Vern9()],
  ] as const)("%s: the lazy stages are recomputed in the one step with a save point inside", (_n, solver) => {
    const erk = solver as ErkSolver;
    const lazy = erk.dense.stages - (erk.tableau.endStage + 1);
    expect(lazy).toBeGreaterThan(0);
    const info: SolveOdeInfo = {};
    lossAndGrad(solver, { tspan: [0, 8], saveat: [0.7, 8], dt: 0.25 }, [1, 1], p0, { info });
    expect(info.backward?.rhsEvals).toBe(lazy);
  });

  // 27 steps (dt = 0.3 on [0, 8]): the last segment between checkpoints is a partial one.
  test.each([2, 3, 5])("checkpoints: %s recompute each segment once", (checkpoints) => {
    const setup: Setup = { tspan: [0, 8], saveat: [8], dt: 0.3 };
    const info: SolveOdeInfo = {};
    const g = lossAndGrad(Tsit5(), setup, [1, 1], p0, { checkpoints, info });
    expect(g).toEqual(lossAndGrad(Tsit5(), setup, [1, 1], p0));
    // The forward evaluations again, plus at most one start evaluation per segment (≤ checkpoints).
    expect(info.backward?.nf).toBeGreaterThanOrEqual((info.forward?.nf ?? 0) - 1);
    expect(info.backward?.nf).toBeLessThanOrEqual((info.forward?.nf ?? 0) + checkpoints);
  });
});

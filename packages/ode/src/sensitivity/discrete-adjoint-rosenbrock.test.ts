// The Rosenbrock DiscreteAdjoint walk (discrete-adjoint-rosenbrock.ts): its failure on a
// singular W, and its work, as its header and
// comments state it: one backward step per forward step, each rebuilding J (n VJPs, counted in
// njac) and factoring W and Wᵀ (two LU factorisations, counted in nlu); a stage whose R̄ is zero
// and a zero T̄ are not pulled back. Pulling zeros back gives the same gradient, so only the
// counts see it (mutation testing, TESTING.md, left `!nonzero`/`tNonzero` and `njac++` alive,
// and no test reached the singular-W return).
//
// Reference: the same fixed-step solve with the loss on u(4) only, once over [0, 4] and once
// over [0, 8] with a zero-weighted save point at 8. The 16 extra steps (dt = 0.25) get a zero
// cotangent, so each must cost exactly its Jacobian's n = 2 VJPs and nothing else; the
// gradients agree exactly (every extra term is a zero).
import { concat, mul, slice, square, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Rodas4, Rodas5P } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import type { InPlaceOdeRhs } from "./differentiable-rhs.js";
import { AdjointFailedError } from "./errors.js";
import { DiscreteAdjoint } from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

/** Lotka–Volterra with a forcing that depends on t (so T = ∂f/∂t and T̄ are nonzero). */
const lv = (u: Tensor, p: Tensor, t: Tensor) => {
  const x = slice(u, 0, 1);
  const y = slice(u, 1, 2);
  const [a, b, c, d] = [0, 1, 2, 3].map((i) => slice(p, i, i + 1));
  const forcing = mul(0.1, mul(t, x));
  return concat([sub(sub(mul(a, x), mul(mul(b, x), y)), forcing), sub(mul(mul(d, x), y), mul(c, y))]);
};
const n = 2;
const dt = 0.25;

/** [∂L/∂u0, ∂L/∂p] of L = ‖u(4)‖² (the rows after the first weighted 0). */
function gradient(
  solver: OdeSolver,
  tspan: [number, number],
  saveat: number[],
  info: SolveOdeInfo,
): number[] {
  const w = tensor(
    saveat.flatMap((_, k) => (k === 0 ? [1, 1] : [0, 0])),
    [saveat.length, n],
  );
  const [, [gu, gp]] = valueAndGrad(
    (u: Tensor, p: Tensor) =>
      sum(
        mul(
          w,
          square(
            solveOde(lv, u, p, {
              tspan,
              saveat,
              solver,
              dt,
              adaptive: false,
              sensealg: DiscreteAdjoint(),
              info,
            }),
          ),
        ),
      ),
    [0, 1],
  )(tensor([1, 1]), tensor([1.5, 1, 3, 1]));
  return [...gu.data, ...gp.data];
}

describe("DiscreteAdjoint's Rosenbrock walk: its work", () => {
  test.each([
    ["Rodas4", Rodas4()],
    ["Rodas5P", Rodas5P()],
  ] as const)(
    "%s: a Jacobian and two LU factorisations a step; zero cotangents cost nothing more",
    (_n, solver) => {
      const short: SolveOdeInfo = {};
      const long: SolveOdeInfo = {};
      const g = gradient(solver, [0, 4], [4], short);
      const gLong = gradient(solver, [0, 8], [4, 8], long);
      expect(gLong).toEqual(g);
      for (const info of [short, long]) {
        const steps = info.forward?.naccept ?? 0;
        expect(steps).toBeGreaterThan(0);
        expect(info.backward?.naccept).toBe(steps);
        expect(info.backward?.njac).toBe(steps);
        expect(info.backward?.nlu).toBe(2 * steps);
      }
      const extraSteps = 4 / dt;
      expect((long.forward?.naccept ?? 0) - (short.forward?.naccept ?? 0)).toBe(extraSteps);
      expect(long.backward?.vjpEvals).toBe((short.backward?.vjpEvals ?? 0) + extraSteps * n);
    },
  );
});

describe("DiscreteAdjoint's Rosenbrock walk: a singular W", () => {
  test("ends the pass with Failure at the step whose W = I/(hγ) − J is singular", () => {
    // f = p·u (n = 1), whose VJP reports ∂f/∂u = 1/(hγ) once the forward solve is done: the
    // walk's first recomputed step (the last one, from t = 4 − h) then has W = 0 exactly
    // (the same floating-point 1/(hγ) on both sides). The forward solve saw ∂f/∂u = p.
    const solver = Rodas4();
    const gamma = solver.tableau.gamma;
    let singular = false;
    const decay: InPlaceOdeRhs = {
      f: (du, u, p) => {
        du[0] = p[0] * u[0];
      },
      vjp: (uBar, pBar, lambda, u, p) => {
        uBar[0] = (singular ? 1 / (dt * gamma) : p[0]) * lambda[0];
        if (pBar !== null) pBar[0] = u[0] * lambda[0];
      },
    };
    const info: SolveOdeInfo = {};
    let error: unknown;
    try {
      valueAndGrad(
        (u: Tensor, p: Tensor) => {
          const out = solveOde(decay, u, p, {
            tspan: [0, 4],
            saveat: [4],
            solver,
            dt,
            adaptive: false,
            sensealg: DiscreteAdjoint(),
            info,
          });
          singular = true;
          return sum(square(out));
        },
        [0, 1],
      )(tensor([1]), tensor([-0.7]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdjointFailedError);
    const failure = error as AdjointFailedError;
    expect(failure.retcode).toBe("Failure");
    expect(failure.t).toBe(4 - dt);
    expect(failure.message).toContain(`the W-matrix of the step at t = ${4 - dt} is singular`);
    expect(info.backward?.retcode).toBe("Failure");
  });
});

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
import {
  add,
  concat,
  mul,
  sin,
  slice,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
} from "@udekit/autodiff";
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

// The difference widths of the walk: the time derivative T of each recomputed step must be the
// forward engine's own central difference (width ε^(1/3)·max(1, |t|)), and the second-order term
// a central difference of VJPs along Uᵢ of width ε = ε^(1/3)·max(‖y‖, 1e-5)/‖Uᵢ‖. Near t = 0 with
// ‖y‖ ≈ 1 (where the other tests run) a width of ε^(1/3)/max(1, |t|) or ε^(1/3)/‖y‖ is the same
// number; here t ≈ 1000 and ‖y‖ ≈ 1000, and the forcing sin(3t) and the term sin(x/S) make
// T's and J's differences inexact (a quadratic f would make the second-order difference exact
// for any width).
describe("DiscreteAdjoint's Rosenbrock walk at t ≈ 1000, ‖u‖ ≈ 1000", () => {
  const S = 1000;
  /** Lotka–Volterra in variables scaled by S, forced by sin(3t), with a non-polynomial term. */
  const scaled = (u: Tensor, p: Tensor, t: Tensor) => {
    const x = slice(u, 0, 1);
    const y = slice(u, 1, 2);
    const [a, b, c, d] = [0, 1, 2, 3].map((i) => slice(p, i, i + 1));
    const xy = mul(x, mul(1 / S, y));
    const forcing = mul(mul(0.3, sin(mul(3, t))), x);
    return concat([
      sub(sub(mul(a, x), mul(b, xy)), forcing),
      add(sub(mul(d, xy), mul(c, y)), mul(0.5 * S, sin(mul(1 / S, x)))),
    ]);
  };
  const lossAndGrad = (x: number[]): number[] => {
    const [v, [gu, gp]] = valueAndGrad(
      (u: Tensor, p: Tensor) =>
        sum(
          mul(
            1 / (S * S),
            square(
              solveOde(scaled, u, p, {
                tspan: [1000, 1004],
                saveat: [1001.3, 1002, 1004],
                solver: Rodas4(),
                dt,
                adaptive: false,
                sensealg: DiscreteAdjoint(),
              }),
            ),
          ),
        ),
      [0, 1],
    )(tensor(x.slice(0, 2)), tensor(x.slice(2)));
    return [v.item(), ...gu.data, ...gp.data];
  };

  test("Rodas4: the gradient agrees with central differences of the discrete solution to 1e-9", () => {
    // Reference: fourth-order central differences with steps 3e-4 relative to each input
    // (3e-4·S for u0): truncation ~h⁴·L⁽⁵⁾/30 and rounding ~ε·|L|/h give ≈ 4e-12 relative
    // (measured). Bound 1e-9. A width ε^(1/3)/|t| for T, or ε^(1/3)/‖y‖ for the second-order
    // term, gives 2e-7 to 1e-5 (measured by changing the code).
    const x = [S, S, 1.5, 1, 3, 1];
    const g = lossAndGrad(x);
    for (let i = 0; i < x.length; i++) {
      const h = (i < 2 ? S : 1) * 3e-4;
      const at = (delta: number) => {
        const y = x.slice();
        y[i] += delta;
        return lossAndGrad(y)[0];
      };
      const fd = (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h);
      expect(Math.abs(g[1 + i] - fd), `component ${i}: adjoint ${g[1 + i]}, differences ${fd}`).toBeLessThan(
        1e-9 * Math.abs(fd),
      );
    }
  });
});

describe("DiscreteAdjoint's Rosenbrock walk at an equilibrium", () => {
  test("zero stages (U = 0, no second-order term) with a nonzero cotangent", () => {
    // f = p·u from u0 = 0: every stage is zero, yet L = u(4) has cotangent 1. The discrete
    // solution is linear in u0 (u(4) = R(hp)⁸·u0), so ∂L/∂u0 is the solution from u0 = 1, and
    // u ≡ 0 for every p, so ∂L/∂p = 0: both exact up to rounding (bound 1e-14).
    const decay = (u: Tensor, p: Tensor) => mul(p, u);
    const options = { tspan: [0, 4] as [number, number], saveat: [4], solver: Rodas4(), dt, adaptive: false };
    const fromOne = solveOde(decay, tensor([1]), tensor([-0.7]), options).item();
    const [, [gu, gp]] = valueAndGrad(
      (u: Tensor, p: Tensor) => sum(solveOde(decay, u, p, { ...options, sensealg: DiscreteAdjoint() })),
      [0, 1],
    )(tensor([0]), tensor([-0.7]));
    expect(Math.abs(gu.item() - fromOne)).toBeLessThan(1e-14);
    expect(gp.item()).toBe(0);
  });
});

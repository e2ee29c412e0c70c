// BacksolveAdjoint (backsolve-adjoint.ts) against the closed form of u′ = p·u, and its refusals:
// a stiff solver, a backward pass out of steps, a check tolerance the reconstruction misses, and
// a state at zero (the relative check's floor).
import { mul, square, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Rodas5P, Tsit5 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import { AdjointInstabilityError, SensitivityOptionError } from "./errors.js";
import { BacksolveAdjoint, type BacksolveAdjointOptions } from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

const growth = (u: Tensor, p: Tensor) => mul(p, u);
const saveat = [0.5, 1.5];

function gradient(
  x0: number[],
  rate: number,
  options: BacksolveAdjointOptions = {},
  solver: OdeSolver = Tsit5(),
  info: SolveOdeInfo = {},
) {
  const [value, [gu, gp]] = valueAndGrad(
    (u: Tensor, p: Tensor) =>
      sum(
        square(
          solveOde(growth, u, p, {
            tspan: [0, 1.5],
            saveat,
            solver,
            reltol: 1e-10,
            abstol: 1e-12,
            sensealg: BacksolveAdjoint(options),
            info,
          }),
        ),
      ),
    [0, 1],
  )(tensor(x0), tensor([rate]));
  return { value: value.item(), gu: Array.from(gu.data), gp: gp.item() };
}

/** L = Σₖ Σᵢ (u0ᵢ·e^(p·tₖ))²: ∂L/∂u0ᵢ = Σₖ 2u0ᵢ·e^(2p·tₖ), ∂L/∂p = Σₖ 2tₖ·e^(2p·tₖ)·‖u0‖². */
function exact(x0: number[], rate: number) {
  const norm2 = x0.reduce((a, x) => a + x * x, 0);
  return {
    gu: x0.map((x) => saveat.reduce((a, t) => a + 2 * x * Math.exp(2 * rate * t), 0)),
    gp: saveat.reduce((a, t) => a + 2 * t * Math.exp(2 * rate * t) * norm2, 0),
  };
}

describe("BacksolveAdjoint", () => {
  test("a growing solution (stable in reverse time): the exact gradient", () => {
    const x0 = [1, -2];
    const got = gradient(x0, 0.8);
    const want = exact(x0, 0.8);
    // reltol 1e-10 forward and backward: measured relative errors ≤ 5e-12; 1e-9 leaves the
    // solver room (a wrong λ or μ term is off by O(1)).
    for (let i = 0; i < 2; i++)
      expect(Math.abs(got.gu[i] - want.gu[i])).toBeLessThan(1e-9 * Math.abs(want.gu[i]));
    expect(Math.abs(got.gp - want.gp)).toBeLessThan(1e-9 * want.gp);
  });

  test("a state at zero passes the check (its scale is floored at abstol, not 0/0)", () => {
    const got = gradient([0, 0], 0.8);
    const want = exact([1, 1], 0.8);
    // ∂L/∂u0 is 2·u0·Σe^(2ptₖ) = 0, and so is ∂L/∂p.
    expect(got.gu).toEqual([0, 0]);
    expect(got.gp).toBe(0);
    expect(want.gu[0]).toBeGreaterThan(0);
  });

  test("a check tolerance the reconstruction cannot meet: AdjointInstabilityError with the error found", () => {
    let error: unknown;
    try {
      // A state of size 10³: the error is relative to it (reltol 1e-10: about 1e-12 here).
      gradient([1e3, -2e3], 0.8, { checkTolerance: 1e-300 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdjointInstabilityError);
    const found = Number(/relative error of (\S+) \(/.exec((error as Error).message)?.[1]);
    expect(found).toBeGreaterThan(0);
    expect(found).toBeLessThan(1e-8);
    expect((error as Error).message).toContain(
      "The problem is unstable in reverse time (dissipative or stiff: errors grow like e^(|λ_min|·Δt)). ",
    );
    expect((error as Error).message).toMatch(
      /^BacksolveAdjoint: integrating the state backward from t = 1\.5 reproduced the forward state only to a relative error of \d\.\d\de-\d+ \(tolerance 1\.00e-300\), so its gradient would be wrong\. .*Use InterpolatingAdjoint\(\) or QuadratureAdjoint\(\), which read u\(t\) from the forward solution instead, or DiscreteAdjoint\(\)\.$/,
    );
  });

  test("a backward pass out of steps is an instability error naming the retcode", () => {
    expect(() => gradient([1, -2], 0.8, { maxiters: 2 })).toThrow(AdjointInstabilityError);
    expect(() => gradient([1, -2], 0.8, { maxiters: 2 })).toThrow(
      /^BacksolveAdjoint: integrating the state backward from t = [\d.]+ failed \(MaxIters: .*\), so its gradient would be wrong\./,
    );
  });

  test("the backward pass integrates [u; λ; μ] once, with no forward re-solve", () => {
    const info: SolveOdeInfo = {};
    gradient([1, -2], 0.8, {}, Tsit5(), info);
    const backward = info.backward;
    // One f and one VJP per evaluation of the augmented system (a re-solve of the forward
    // problem would add f calls only).
    expect(backward?.vjpEvals).toBeGreaterThan(0);
    expect(backward?.rhsEvals).toBe(backward?.vjpEvals);
  });

  test("a stiff solver is refused", () => {
    expect(() => gradient([1, -2], 0.8, {}, Rodas5P())).toThrow(SensitivityOptionError);
    expect(() => gradient([1, -2], 0.8, {}, Rodas5P())).toThrow(
      "solveOde: BacksolveAdjoint re-integrates u backward in time, which is unstable on stiff problems; Rodas5P is a stiff solver. Use DiscreteAdjoint() (the default after a stiff solve) or InterpolatingAdjoint() with stiff problems.",
    );
  });
});

// Gradients after an SDIRK solve (TRBDF2): the continuous adjoints take the stiff route (λ by
// TRBDF2 with the adjoint system's exact Jacobian, p̄ by quadrature), ForwardSensitivity solves
// its sensitivity system with TRBDF2, and DiscreteAdjoint, which has no SDIRK reverse step, is
// refused before the forward solve. Van der Pol with μ = 1000 (x' = y, y' = μ((1 − x²)y − x)),
// gradients with respect to (x0, y0) and μ against central differences of a Rodas5P solve.
import { concat, mul, slice, square, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Rodas5P, TRBDF2 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import { SensitivityOptionError } from "./errors.js";
import {
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { defaultSensealg, type SolveOdeInfo, solveOde } from "./solve-ode.js";

const vdp = (u: Tensor, p: Tensor) => {
  const x = slice(u, 0, 1);
  const y = slice(u, 1, 2);
  return concat([y, mul(p, sub(mul(sub(1, square(x)), y), x))]);
};
const saveat = [0.2, 0.5, 1, 1.5];
const target = tensor(saveat.map(() => [1.5, 0]));

function loss(
  solver: OdeSolver,
  sensealg: SensitivityAlgorithm | undefined,
  reltol: number,
  info?: SolveOdeInfo,
) {
  return (u: Tensor, p: Tensor) =>
    sum(
      square(
        sub(
          solveOde(vdp, u, p, {
            tspan: [0, 1.5],
            saveat,
            solver,
            reltol,
            abstol: reltol * 1e-2,
            sensealg,
            info,
          }),
          target,
        ),
      ),
    );
}

function gradient(sensealg: SensitivityAlgorithm | undefined, reltol: number, info: SolveOdeInfo): number[] {
  const [, [gu, gp]] = valueAndGrad(loss(TRBDF2(), sensealg, reltol, info), [0, 1])(
    tensor([2, 0]),
    tensor([1000]),
  );
  return [...gu.data, ...gp.data];
}

// Fourth-order central differences of the loss solved by another method (Rodas5P) at reltol
// 1e-12: steps 1e-4 in u0 and 0.1 in μ (1e-4 relative), truncation ~h⁴ negligible, solver noise
// ~1e-8 absolute, below 1e-5 of the smallest entry |∂L/∂y0| ≈ 1.6e-3.
let reference: number[] | undefined;
function centralDifferences(): number[] {
  if (reference !== undefined) return reference;
  const L = (x: number[], m: number) => loss(Rodas5P(), undefined, 1e-12)(tensor(x), tensor([m])).item();
  const d4 = (f: (h: number) => number, h: number) =>
    (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h);
  reference = [
    d4((h) => L([2 + h, 0], 1000), 1e-4),
    d4((h) => L([2, h], 1000), 1e-4),
    d4((h) => L([2, 0], 1000 + h), 0.1),
  ];
  return reference;
}

const worst = (g: number[]) =>
  Math.max(...g.map((v, i) => Math.abs(v - centralDifferences()[i]) / Math.abs(centralDifferences()[i])));

describe("gradients after TRBDF2 on Van der Pol (μ = 1000)", () => {
  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["QuadratureAdjoint", QuadratureAdjoint()],
    ["ForwardSensitivity", ForwardSensitivity()],
  ] as const)("%s agrees with central differences, to the forward solve's accuracy", (_name, alg) => {
    const loose: SolveOdeInfo = {};
    const tight: SolveOdeInfo = {};
    const errLoose = worst(gradient(alg, 1e-6, loose));
    const errTight = worst(gradient(alg, 1e-8, tight));
    expect(tight.retcode).toBe("Success");
    expect(tight.backward?.retcode).toBe("Success");
    // A stiff pass: TRBDF2 factorised its W-matrix (the adjoint system's, or the sensitivity system's).
    expect(tight.backward?.nlu).toBeGreaterThan(0);
    // Worst entry (μ's) measured at 1e-8: 1.8e-4 for the adjoints, 1.2e-4 for ForwardSensitivity;
    // at 1e-6: 5.9e-3 and 3.8e-3. An order-2 forward solve is accurate to ~5e-5 at 1e-8, so this is
    // the gradient of that solve; a wrong Jacobian or jump would not shrink with the tolerance.
    expect(errTight).toBeLessThan(5e-4);
    expect(errTight).toBeLessThan(errLoose / 10);
  });

  test("the adjoints are within 2× of ForwardSensitivity's error at 1e-8 (measured 1.5×)", () => {
    const fs = worst(gradient(ForwardSensitivity(), 1e-8, {}));
    for (const alg of [InterpolatingAdjoint(), QuadratureAdjoint()]) {
      expect(worst(gradient(alg, 1e-8, {}))).toBeLessThan(2 * fs);
    }
  });

  test("the default sensealg after TRBDF2 is InterpolatingAdjoint, bit for bit", () => {
    expect(defaultSensealg(TRBDF2())).toEqual(InterpolatingAdjoint());
    const byDefault: SolveOdeInfo = {};
    const explicit: SolveOdeInfo = {};
    expect(gradient(undefined, 1e-6, byDefault)).toEqual(gradient(InterpolatingAdjoint(), 1e-6, explicit));
    expect(byDefault.backward).toEqual(explicit.backward);
  });

  test("the gradient audit agrees (its tangent solve uses the structured Jacobian)", () => {
    const info: SolveOdeInfo = {};
    gradient(InterpolatingAdjoint({ verify: true }), 1e-8, info);
    // Measured 1.7e-5 (two order-2 solves at 1e-8); the default threshold at 1e-8 is far above.
    expect(info.audit?.relativeError).toBeLessThan(1e-4);
  });

  test("DiscreteAdjoint is refused before the forward solve, naming the family and what to use", () => {
    const info: SolveOdeInfo = {};
    const run = () => gradient(DiscreteAdjoint(), 1e-6, info);
    expect(run).toThrow(SensitivityOptionError);
    expect(run).toThrow(/no reverse step for the SDIRK family \(TRBDF2\)\. Use InterpolatingAdjoint\(\)/);
    expect(info.forward).toBeUndefined();
  });
});

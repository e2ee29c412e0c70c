// Stiff problems: the backward pass with a Rosenbrock solver, whose adjoint Jacobian comes
// from VJPs of the compiled tape (adjoint-jacobian.ts). Van der Pol with μ = 1000:
// x' = y, y' = μ((1 − x²)y − x); gradients with respect to (x0, y0) and μ.
import { concat, mul, slice, square, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { expect, test } from "vitest";
import { Rodas4 } from "../solvers/index.js";
import { InterpolatingAdjoint, QuadratureAdjoint, type SensitivityAlgorithm } from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

const vdp = (u: Tensor, p: Tensor) => {
  const x = slice(u, 0, 1);
  const y = slice(u, 1, 2);
  const dy = mul(p, sub(mul(sub(1, square(x)), y), x));
  return concat([y, dy]);
};
const saveat = [0.2, 0.5, 1, 1.5];
const target = tensor(saveat.map(() => [1.5, 0]));
const u0 = tensor([2, 0]);
const mu = tensor([1000]);

function loss(sensealg: SensitivityAlgorithm, reltol: number, info?: SolveOdeInfo) {
  return (u: Tensor, p: Tensor) =>
    sum(
      square(
        sub(
          solveOde(vdp, u, p, {
            tspan: [0, 1.5],
            saveat,
            solver: Rodas4(),
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

test.each([
  ["InterpolatingAdjoint", InterpolatingAdjoint()],
  ["QuadratureAdjoint", QuadratureAdjoint()],
] as const)("%s with Rodas4 on Van der Pol (μ = 1000) agrees with central differences", (_name, alg) => {
  const info: SolveOdeInfo = {};
  const [, [gu, gp]] = valueAndGrad(loss(alg, 1e-8, info), [0, 1])(u0, mu);
  expect(info.retcode).toBe("Success");
  expect(info.backward?.retcode).toBe("Success");
  // a stiff backward pass: the Rosenbrock solver factorised its W-matrix and used the
  // VJP-assembled adjoint Jacobian
  expect(info.backward?.njac).toBeGreaterThan(0);
  expect(info.backward?.nlu).toBeGreaterThan(0);
  const L = (x: number[], m: number) => loss(alg, 1e-10)(tensor(x), tensor([m])).item();
  const hu = 1e-6;
  const fdX = (L([2 + hu, 0], 1000) - L([2 - hu, 0], 1000)) / (2 * hu);
  const fdY = (L([2, hu], 1000) - L([2, -hu], 1000)) / (2 * hu);
  const hm = 1e-3;
  const fdMu = (L([2, 0], 1000 + hm) - L([2, 0], 1000 - hm)) / (2 * hm);
  // Rodas4's dense output is of order 3, so the interpolated forward state (and the
  // gradient built on it) is accurate to ~1e-6 relative at reltol 1e-8; the differences
  // carry ~1e-10/h of solver noise. 1e-4 relative to the gradient's scale separates a
  // correct gradient from any wrong one (those are O(1) off).
  const scale = Math.max(Math.abs(fdX), Math.abs(fdY), Math.abs(fdMu) * 1000);
  expect(Math.abs(gu.data[0] - fdX)).toBeLessThan(1e-4 * scale);
  expect(Math.abs(gu.data[1] - fdY)).toBeLessThan(1e-4 * scale);
  expect(Math.abs(gp.data[0] - fdMu) * 1000).toBeLessThan(1e-4 * scale);
});

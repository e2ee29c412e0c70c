// solveOde's default sensitivity algorithm follows the forward solver's family: the discrete
// adjoint after a Rosenbrock or composite (auto-switching) solve (stiff gradient bank: backward
// steps = forward steps, error within 2.1× of ForwardSensitivity's on the fast cases), the
// interpolating adjoint after an explicit one. The default must be the very same computation as passing it explicitly.
import { concat, mul, slice, square, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { expect, test } from "vitest";
import { AutoTsit5, Rodas5P, Tsit5 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import { DiscreteAdjoint, InterpolatingAdjoint, type SensitivityAlgorithm } from "./sensealg.js";
import { defaultSensealg, type SolveOdeInfo, solveOde } from "./solve-ode.js";

const vdp = (u: Tensor, p: Tensor) => {
  const x = slice(u, 0, 1);
  const y = slice(u, 1, 2);
  return concat([y, mul(p, sub(mul(sub(1, square(x)), y), x))]);
};

function gradient(solver: OdeSolver, sensealg: SensitivityAlgorithm | undefined, info: SolveOdeInfo) {
  const f = (u: Tensor, p: Tensor) =>
    // reltol 1e-8: at the default 1e-3 the stiff gradient is ~11 % off and the audit of a stiff
    // solve's first gradient (default-audit.test.ts) throws.
    sum(
      square(
        solveOde(vdp, u, p, {
          tspan: [0, 1.5],
          saveat: [0.5, 1, 1.5],
          solver,
          sensealg,
          info,
          reltol: 1e-8,
          abstol: 1e-8,
        }),
      ),
    );
  const [, [gu, gp]] = valueAndGrad(f, [0, 1])(tensor([2, 0]), tensor([100]));
  return [...gu.data, ...gp.data];
}

test.each([
  ["Rodas5P", "DiscreteAdjoint", Rodas5P(), DiscreteAdjoint()],
  ["AutoTsit5(Rodas5P())", "DiscreteAdjoint", AutoTsit5(Rodas5P()), DiscreteAdjoint()],
  ["Tsit5", "InterpolatingAdjoint", Tsit5(), InterpolatingAdjoint()],
] as const)("after %s the default is %s, bit for bit", (_name, _alg, solver, expected) => {
  expect(defaultSensealg(solver)).toEqual(expected);
  const byDefault: SolveOdeInfo = {};
  const explicit: SolveOdeInfo = {};
  expect(gradient(solver, undefined, byDefault)).toEqual(gradient(solver, expected, explicit));
  expect(byDefault.backward).toEqual(explicit.backward);
});

test("the default after a Rosenbrock solve walks the forward steps back, one backward step each", () => {
  const info: SolveOdeInfo = {};
  gradient(Rodas5P(), undefined, info);
  expect(info.forward?.naccept).toBeGreaterThan(10);
  expect(info.backward?.naccept).toBe(info.forward?.naccept);
});

// Stiff problems: the backward pass with a Rosenbrock solver, whose adjoint Jacobian comes
// from VJPs of the compiled tape (adjoint-jacobian.ts). Van der Pol with μ = 1000:
// x' = y, y' = μ((1 − x²)y − x); gradients with respect to (x0, y0) and μ.
import {
  concat,
  matvec,
  mul,
  slice,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  valueAndGrad,
} from "@udekit/autodiff";
import { expect, test } from "vitest";
import { Rodas4, Rodas5P } from "../solvers/index.js";
import {
  DiscreteAdjoint,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
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
  // References: fourth-order central differences of the loss solved at reltol 1e-12 (steps
  // 1e-4 in u0 and 0.1 in μ, i.e. 1e-4 relative: truncation ~h⁴ negligible, solver noise
  // ~1e-12·|L|/h ≈ 1e-8 absolute, below 1e-5 of the smallest entry |∂L/∂y0| ≈ 1.6e-3).
  const L = (x: number[], m: number) => loss(alg, 1e-12)(tensor(x), tensor([m])).item();
  const d4 = (f: (h: number) => number, h: number) =>
    (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h);
  const fdX = d4((h) => L([2 + h, 0], 1000), 1e-4);
  const fdY = d4((h) => L([2, h], 1000), 1e-4);
  const fdMu = d4((h) => L([2, 0], 1000 + h), 0.1);
  // Each entry on its own scale (the three differ by 10⁵): at reltol 1e-8 the adjoint's
  // per-entry error was measured at 1e-8, 4e-6 and 1.2e-6 (Rodas4's order-3 dense output
  // limits it); 1e-4 keeps a margin of 25× while a wrong time derivative, Jacobian or jump
  // (the defects this guards) is O(1) off in at least one entry.
  for (const [got, want] of [
    [gu.data[0], fdX],
    [gu.data[1], fdY],
    [gp.data[0], fdMu],
  ]) {
    expect(Math.abs(got - want)).toBeLessThan(1e-4 * Math.abs(want));
  }
});

// A stiff backward pass steps to the forward step ends. The forward solve runs on to the end of
// tspan past the last save point, where the backward pass starts; those later step ends are
// not stops of the backward integrator (they once made it throw an InvalidOptionError: "tstops
// lie outside tspan"). Both directions of time; DiscreteAdjoint on the same solve as reference.
test.each([
  ["forward in time", [0, 2] as const, [0.5, 1.5]],
  ["backward in time", [2, 0] as const, [1.5, 0.5]],
])(
  "Rosenbrock backward passes when the last save point comes before the end of tspan (%s)",
  (_name, tspan, points) => {
    // u' = tanh(P·u) − 5u (and its reverse): Rodas5P steps; the gradient stays moderate either way.
    const f = (u: Tensor, p: Tensor) => sub(tanh(matvec(p, u)), mul(5, u));
    const P = tensor([0.1, -0.3, 0.2, 0.4], [2, 2]);
    const grad = (sensealg: SensitivityAlgorithm, info?: SolveOdeInfo) =>
      valueAndGrad((p: Tensor) =>
        sum(
          square(
            solveOde(f, tensor([0.3, -0.2]), p, {
              tspan,
              saveat: points,
              solver: Rodas5P(),
              reltol: 1e-10,
              abstol: 1e-12,
              sensealg,
              info,
            }),
          ),
        ),
      )(P)[1].data;
    const want = grad(DiscreteAdjoint());
    for (const alg of [InterpolatingAdjoint(), QuadratureAdjoint()]) {
      const info: SolveOdeInfo = {};
      const got = grad(alg, info);
      expect(info.backward?.retcode).toBe("Success");
      // Two methods at reltol 1e-10: measured within 5e-11 relative of each other per entry
      // (ForwardSensitivity too); 1e-8 leaves a margin of 200×.
      for (let i = 0; i < 4; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-8 * Math.abs(want[i]));
    }
  },
);

// Van der Pol (Liénard form, μ = 1000) across its first relaxation jump (t ≈ 807.08): inside
// the jump |u'| reaches 1e6, so a time grid off by one rounding of t (ulp(807) = 1.1e-13) moves
// u(t) by 1e-7. The continuous adjoint reads u(t) at the stored times while λ crosses the jump,
// where the phase component λᵀf is a 1e-6 cancellation: when each step's stored length
// fl(t + h) − t differed from the h its stages used, the drift between the two clocks gave
// relative gradient errors of 6e-4 … 2e-3 at every reltol from 1e-9 to 1e-12 (a floor, erratic
// in sign; whatever the backward solver or its tolerance). With h = fl(t + h) − t: 2.5e-7 at
// reltol 1e-10, 4.7e-6 at 1e-11 and 6.1e-6 at 1e-12 against DiscreteAdjoint at 1e-13 (largest
// entry); what remained was the rounding of the stage times t + cᵢh, ∝ ulp(t) (the same problem
// shifted to t ≈ 0: 1.2e-6, 5.5e-8, 3.8e-8). With the backward pass in time local to each
// forward step (backward-driver.ts): 1.2e-6, 7.9e-8 and 1.6e-8, as the shifted problem gives.
test("InterpolatingAdjoint after Rodas5P across Van der Pol's relaxation jump agrees with DiscreteAdjoint", () => {
  const lienard = (u: Tensor, p: Tensor) => {
    const x = slice(u, 0, 1);
    const y = slice(u, 1, 2);
    return concat([y, sub(mul(p, mul(sub(1, square(x)), y)), x)]);
  };
  const grad = (sensealg: SensitivityAlgorithm, reltol: number) => {
    const [, [gu, gp]] = valueAndGrad(
      (u: Tensor, p: Tensor) =>
        sum(
          square(
            solveOde(lienard, u, p, {
              tspan: [0, 1000],
              saveat: [1000],
              solver: Rodas5P(),
              reltol,
              abstol: reltol * 1e-2,
              sensealg,
            }),
          ),
        ),
      [0, 1],
    )(u0, mu);
    return [...gu.data, ...gp.data];
  };
  // DiscreteAdjoint at 1e-13: within 3e-7 of its value at 1e-12 (and of ForwardSensitivity's).
  const want = grad(DiscreteAdjoint({ verify: false }), 1e-13);
  for (const [reltol, bound] of [
    [1e-10, 2e-5],
    [1e-11, 5e-7],
    [1e-12, 5e-7],
  ]) {
    const got = grad(InterpolatingAdjoint({ verify: false }), reltol);
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(got[i] - want[i]), `reltol ${reltol}, entry ${i}`).toBeLessThan(
        bound * Math.abs(want[i]),
      );
    }
  }
});

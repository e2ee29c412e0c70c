/** Tensor right-hand sides compiled through @udekit/autodiff: forward values, time dependence, tape Jacobians. */
import { concat, matvec, mul, scale, slice, square, sub, sum, type Tensor } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { loadFixture, maxMixedError, seedLinear } from "../test/reference-problems.js";
import { InvalidProblemError } from "./errors.js";
import { ODEProblem } from "./problem.js";
import { solve } from "./solve.js";
import { Rodas4, Tsit5 } from "./solvers/index.js";
import { resolveRhs } from "./tensor-rhs.js";

const vdpTensor = (mu: number) => (u: Tensor, _p: Tensor, _t: Tensor) => {
  const x = slice(u, 0, 1);
  const y = slice(u, 1, 2);
  // y' = μ(1 − x²)y − x = μy − μx²y − x
  return concat([y, sub(sub(scale(y, mu), scale(mul(square(x), y), mu)), x)]);
};

describe("tensor right-hand side", () => {
  test("seed linear model A(P)·u with P as an n×n tensor parameter matches expm", () => {
    const { fixture } = seedLinear(10);
    const P = (fixture.P as number[][]).flat();
    const problem = new ODEProblem(
      (u: Tensor, p: Tensor, _t: Tensor) => sub(matvec(p, u), mul(sum(p, 1), u)),
      fixture.u0,
      fixture.tspan,
      P,
      { pShape: [10, 10] },
    );
    expect(problem.kind).toBe("tensor");
    const sol = solve(problem, Tsit5(), { reltol: 1e-10, abstol: 1e-10, saveat: fixture.times });
    // Same bound as the in-place n = 10 test (measured 0.26 × tol).
    expect(maxMixedError((i) => sol.state(i), fixture, 1e-3) / 1e-10).toBeLessThan(1);
  });
  test("time enters as a rank-0 tensor: u' = t·u gives exp(t²/2)", () => {
    const problem = new ODEProblem((u: Tensor, _p: Tensor, t: Tensor) => mul(u, t), [1], [0, 2]);
    const sol = solve(problem, Tsit5(), { reltol: 1e-10, abstol: 1e-12 });
    // exp(2) ≈ 7.39; 1e-8 relative is 100× the tolerance.
    expect(Math.abs(sol.u[sol.u.length - 1] / Math.exp(2) - 1)).toBeLessThan(1e-8);
  });
  test("the tape Jacobian (n VJPs) equals the analytic one", () => {
    const mu = 1000;
    const problem = new ODEProblem(vdpTensor(mu), [2, 0], [0, 1]);
    const { jac } = resolveRhs(problem);
    const J = new Float64Array(4);
    const u = Float64Array.from([1.3, -0.7]);
    jac?.(J, u, problem.p, 0.5);
    // Exact: [[0, 1], [−2μxy − 1, μ(1 − x²)]]; the tape computes the same products: rounding only.
    const expected = [0, 1, -2 * mu * u[0] * u[1] - 1, mu * (1 - u[0] * u[0])];
    J.forEach((v, i) => {
      expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected[i])));
    });
  });
  test("Van der Pol μ = 1000 with Rodas4 uses the tape Jacobian (no finite-difference evaluations)", () => {
    const fx = loadFixture("van-der-pol-mu1000");
    const problem = new ODEProblem(vdpTensor(1000), fx.u0, fx.tspan);
    const sol = solve(problem, Rodas4(), { reltol: 1e-7, abstol: 1e-7, saveat: fx.times });
    expect(sol.retcode).toBe("Success");
    // Same bound as the in-place Rodas4 test at 1e-9 (measured ≈ 21 × tol at 1e-7).
    expect(maxMixedError((i) => sol.state(i), fx, 1e-3) / 1e-7).toBeLessThan(60);
    // f evaluations: 6 stages + 2 for ∂f/∂t per step, none for J (FD would add n = 2 per step).
    const { nf, naccept, nreject, njac } = sol.stats;
    expect(nf).toBe(2 + (naccept + nreject) * 5 + naccept + 2 * njac);
  });
  test("a wrong output shape is a typed error before solving", () => {
    const problem = new ODEProblem((u: Tensor, _p: Tensor, _t: Tensor) => sum(u), [1, 2], [0, 1]);
    expect(() => solve(problem, Tsit5())).toThrow(InvalidProblemError);
    expect(() => solve(problem, Tsit5())).toThrow(/shape \[\]/);
  });
});

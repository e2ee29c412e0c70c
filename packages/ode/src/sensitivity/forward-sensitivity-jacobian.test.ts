// The structured Jacobian ForwardSensitivity (and the gradient audit's stiff tangent) hands a
// Rosenbrock solver for z = [u; S] (forward-sensitivity.ts, sensitivityJacobian): an error in it
// only slows or degrades the stiff solve, which the gradient tests at their tolerances may not
// see. Checked here entry by entry against central differences of the system's own right-hand
// side, captured from the solve it is built for (solve() wrapped, nothing else changed).
//
// Error budget: the reference is a central difference of width 1e-6·max(1, |zⱼ|) (truncation
// ~1e-12·|f'''|, rounding ~ε·|f|/1e-6 ≈ 1e-10); the Jacobian's ∂(J·S + F̃)/∂u block is itself a
// forward difference of width √(ε·|uⱼ|) (error ~1e-8 relative): bound 1e-6·max|∂f/∂z| there. The
// other blocks ([J, 0] and J ⊗ I) are exact, from VJPs at u itself: bound 2e-9·max|∂f/∂z| (the
// reference's rounding; J taken at a point √ε off, as the loop leaves it, is ~1e-8 off).
import { concat, mul, sin, slice, sub, type Tensor } from "@udekit/autodiff";
import { describe, expect, test, vi } from "vitest";
import type { ODEProblem } from "../problem.js";
import { Rodas4 } from "../solvers/index.js";
import { differentiableRhs } from "./differentiable-rhs.js";
import { tangentSolve } from "./forward-sensitivity.js";

const captured: ODEProblem[] = [];
vi.mock("../solve.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../solve.js")>();
  return {
    ...original,
    solve: (...args: Parameters<typeof original.solve>) => {
      captured.push(args[0]);
      return original.solve(...args);
    },
  };
});

/** Lotka–Volterra with a t-dependent forcing and a non-polynomial term (∂J/∂u ≠ 0 everywhere). */
const f = (u: Tensor, p: Tensor, t: Tensor) => {
  const x = slice(u, 0, 1);
  const y = slice(u, 1, 2);
  const [a, b, c, d] = [0, 1, 2, 3].map((i) => slice(p, i, i + 1));
  return concat([
    sub(sub(mul(a, x), mul(mul(b, x), y)), mul(mul(0.1, t), x)),
    sub(sub(mul(mul(d, x), y), mul(c, y)), mul(0.3, sin(mul(x, y)))),
  ]);
};
const n = 2;
const u0 = Float64Array.of(1.2, 0.8);
const p = Float64Array.of(1.5, 1, 3, 1);

/** The [u; S] problem tangentSolve builds, and its Jacobian at a point with S filled in. */
function systemOf(B: Float64Array | undefined, q: number): ODEProblem {
  captured.length = 0;
  const rhs = differentiableRhs(f, u0, p, [4], 0);
  const S0 = Float64Array.from({ length: n * q }, (_, i) => Math.sin(1 + 0.7 * i));
  const sol = tangentSolve(
    {
      rhs,
      p,
      u0,
      t0: 0,
      tEnd: 0.5,
      saveat: Float64Array.of(0.5),
      solver: Rodas4(),
      stepping: { reltol: 1e-6 },
    },
    S0,
    B,
    q,
  );
  expect(sol.retcode).toBe("Success");
  expect(captured).toHaveLength(1);
  return captured[0];
}

function checkAgainstDifferences(problem: ODEProblem, t: number): void {
  const { f: system, jac } = problem;
  if (system === undefined || jac === undefined)
    throw new Error("a Rosenbrock tangent solve gets f and its Jacobian");
  const m = problem.n;
  const z = Float64Array.from({ length: m }, (_, i) => (i < n ? u0[i] + 0.1 * i : Math.cos(2 + 1.3 * i)));
  const J = new Float64Array(m * m).fill(Number.NaN);
  jac(J, z, new Float64Array(0), t);
  const plus = new Float64Array(m);
  const minus = new Float64Array(m);
  const reference = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    const h = 1e-6 * Math.max(1, Math.abs(z[j]));
    const zp = z.slice();
    const zm = z.slice();
    zp[j] += h;
    zm[j] -= h;
    system(plus, zp, new Float64Array(0), t);
    system(minus, zm, new Float64Array(0), t);
    for (let i = 0; i < m; i++) reference[i * m + j] = (plus[i] - minus[i]) / (zp[j] - zm[j]);
  }
  let scale = 0;
  for (const v of reference) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const got = J[i * m + j];
      const want = reference[i * m + j];
      const bound = i >= n && j < n ? 1e-6 : 2e-9;
      expect(Math.abs(got - want), `∂f${i}/∂z${j}: ${got} vs differences ${want}`).toBeLessThan(
        bound * scale,
      );
    }
  }
}

describe("the structured Jacobian of the [u; S] system", () => {
  test("ForwardSensitivity's S = ∂u/∂(u0, p): q = n + np columns, B = [0 | I]", () => {
    checkAgainstDifferences(systemOf(undefined, n + 4), 0.7);
  });

  test("the gradient audit's one tangent column, B = δp", () => {
    checkAgainstDifferences(systemOf(Float64Array.of(0.3, -0.8, 0.5, 0.9), 1), 0.7);
  });
});

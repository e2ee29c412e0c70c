// The gradient audit (gradient-audit.ts) called directly. Its own tolerance is loose by design
// (threshold ≥ 1e-3), so a wrong tangent could pass every audit the other tests run; here its
// directional derivative is checked against an independent reference, with the threshold set
// to Infinity so that nothing is thrown: fourth-order central differences of the loss along
// the audit's own direction v, from forward solves at reltol 1e-12. The direction is read off
// the audit by passing unit gradients (gᵀv with g = eᵢ is vᵢ).
import { add, concat, mul, sin, slice, sub, type Tensor, tensor } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Rodas4, Tsit5 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import { differentiableRhs, type InPlaceOdeRhs } from "./differentiable-rhs.js";
import { GradientMismatchError } from "./errors.js";
import { type AuditInput, auditGradient, defaultAuditThreshold } from "./gradient-audit.js";
import { solveOde } from "./solve-ode.js";

const S = 1000;
/**
 * Lotka–Volterra in variables scaled by S and parameters scaled by 10⁴ (so that the audit's
 * widths, scaled to ‖u‖ and ‖p‖, are not the unit ones), forced by sin(3t).
 */
const scaled = (u: Tensor, p: Tensor, t: Tensor) => {
  const x = slice(u, 0, 1);
  const y = slice(u, 1, 2);
  const [a, b, c, d] = [0, 1, 2, 3].map((i) => mul(1e-4, slice(p, i, i + 1)));
  const xy = mul(x, mul(1 / S, y));
  const forcing = mul(mul(0.3, sin(mul(3, t))), x);
  return concat([
    sub(sub(mul(a, x), mul(b, xy)), forcing),
    add(sub(mul(d, xy), mul(c, y)), mul(0.5 * S, sin(mul(1 / S, x)))),
  ]);
};
const u0 = Float64Array.of(S, 0.5 * S);
const p = Float64Array.of(15000, 10000, 30000, 10000);
const tspan: [number, number] = [0, 2];
const saveat = Float64Array.of(0.7, 2);
const cotangent = Float64Array.of(0.3, -1.1, 0.8, 0.45);

function input(
  solver: OdeSolver,
  u0Bar: Float64Array,
  pBar: Float64Array,
  reltol: number,
  f: typeof scaled | InPlaceOdeRhs = scaled,
): AuditInput {
  return {
    rhs: differentiableRhs(f, u0, p, [4], 0),
    p,
    u0,
    tspan,
    saveat,
    cotangent,
    u0Bar,
    pBar,
    solver,
    stepping: { reltol, abstol: reltol * S },
    method: "Test",
    threshold: Number.POSITIVE_INFINITY,
  };
}

/** Σₖ gₖᵀu(tₖ) from a forward solve at reltol 1e-12. */
function loss(x: number[]): number {
  const out = solveOde(scaled, tensor(x.slice(0, 2)), tensor(x.slice(2)), {
    tspan,
    saveat,
    solver: Tsit5(),
    reltol: 1e-12,
    abstol: 1e-12 * S,
  }).data;
  let l = 0;
  for (let i = 0; i < out.length; i++) l += cotangent[i] * out[i];
  return l;
}

/** The audit's direction v = (δu0, δp), read off gᵀv with g = eᵢ. */
function direction(): number[] {
  const v: number[] = [];
  for (let i = 0; i < 6; i++) {
    const g = new Float64Array(6);
    g[i] = 1;
    v.push(auditGradient(input(Tsit5(), g.subarray(0, 2), g.subarray(2), 1e-6)).adjoint);
  }
  return v;
}

/**
 * dL/dε along v: fourth-order central differences with h = 0.01 (|vᵢ| < 1 against inputs of
 * size 10³–10⁴): truncation ~h⁴·L⁽⁵⁾/30 is negligible, the forward solves' error at reltol 1e-12
 * (≈ 1e-12·|L|, not smooth in ε) divided by h gives ≈ 1e-10 relative; measured: the estimates at
 * h = 0.03, 0.01 and 0.003 agree to 5e-11.
 */
function reference(v: number[]): number {
  const x = [...u0, ...p];
  const at = (h: number) => loss(x.map((xi, i) => xi + h * v[i]));
  const h = 0.01;
  return (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h);
}

describe("auditGradient", () => {
  const v = direction();
  const d = reference(v);

  test("the direction has every component nonzero (it checks every entry of the gradient)", () => {
    for (const vi of v) expect(Math.abs(vi)).toBeGreaterThan(1e-3);
    expect(Math.abs(d)).toBeGreaterThan(0.1);
  });

  test.each([
    ["Tsit5 (central differences of f)", Tsit5()],
    ["Rodas4 (VJP rows, structured Jacobian)", Rodas4()],
  ] as const)(
    "%s: the directional derivative agrees with central differences of L to 1e-8",
    (_name, solver) => {
      // The tangent solve at reltol 1e-10 (measured: 3e-11 relative for both); the differences
      // of f in the Tsit5 tangent err ~ε^(2/3) ≈ 4e-11 with widths scaled to ‖u‖ = 1000 and
      // ‖p‖ = 3·10⁴. Bound 1e-8.
      const audit = auditGradient(input(solver, new Float64Array(2), new Float64Array(4), 1e-10));
      expect(Math.abs(audit.directional - d)).toBeLessThan(1e-8 * Math.abs(d));
    },
  );

  test("gᵀv, the relative error and the threshold it is compared with", () => {
    // g with one nonzero entry, chosen so that gᵀv = d·(1 + r).
    const i = 2;
    for (const r of [5e-4, -5e-4, 2e-3, -2e-3]) {
      const g = new Float64Array(6);
      g[i] = (d * (1 + r)) / v[i];
      const run = () =>
        auditGradient({ ...input(Tsit5(), g.subarray(0, 2), g.subarray(2), 1e-10), threshold: undefined });
      if (Math.abs(r) < 1e-3) {
        const audit = run();
        expect(audit.adjoint).toBeCloseTo(d * (1 + r), 6);
        // |gᵀv − d|/max(|gᵀv|, |d|) = |r|/max(1, 1 + r), to the tangent's 1e-8.
        expect(Math.abs(audit.relativeError - Math.abs(r) / Math.max(1, 1 + r))).toBeLessThan(1e-8);
        // reltol 1e-10: 10·√reltol = 1e-4, clamped to 1e-3.
        expect(audit.threshold).toBe(1e-3);
      } else {
        let error: unknown;
        try {
          run();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(GradientMismatchError);
        const mismatch = error as GradientMismatchError;
        expect(mismatch.method).toBe("Test");
        expect(mismatch.threshold).toBe(1e-3);
        expect(Math.abs(mismatch.directional - d)).toBeLessThan(1e-8 * Math.abs(d));
        expect(mismatch.tangentFailure).toBeUndefined();
        expect(mismatch.message).toContain("gradient audit failed for Test");
      }
    }
  });

  test("a non-finite gradient never passes", () => {
    const g = Float64Array.of(Number.NaN, 0, 0, 0, 0, 0);
    expect(() =>
      auditGradient({ ...input(Tsit5(), g.subarray(0, 2), g.subarray(2), 1e-10), threshold: 1 }),
    ).toThrow(GradientMismatchError);
  });

  test("a failed tangent solve is reported as such, not as a mismatch", () => {
    let error: unknown;
    try {
      const audit = input(Tsit5(), new Float64Array(2), new Float64Array(4), 1e-10);
      auditGradient({ ...audit, stepping: { ...audit.stepping, maxiters: 2 }, threshold: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GradientMismatchError);
    const mismatch = error as GradientMismatchError;
    expect(Number.isNaN(mismatch.directional)).toBe(true);
    expect(mismatch.tangentFailure).toMatch(/^MaxIters: /);
  });

  test("the default threshold is 10·√reltol clamped to [1e-3, 0.1], reltol 1e-3 when none is given", () => {
    expect(defaultAuditThreshold(1e-10)).toBe(1e-3);
    expect(defaultAuditThreshold(1e-6)).toBeCloseTo(1e-2, 15);
    expect(defaultAuditThreshold(1e-4)).toBeCloseTo(1e-1, 15);
    expect(defaultAuditThreshold(1e-2)).toBe(0.1);
    const audit = input(Tsit5(), new Float64Array(2), new Float64Array(4), 1e-6);
    const { reltol: _, ...stepping } = audit.stepping;
    // A zero gradient against a nonzero directional derivative: the error says which threshold.
    expect(() => auditGradient({ ...audit, stepping, threshold: undefined })).toThrow(/> 1\.00e-1\)/);
  });

  test("rhsEvals counts every evaluation of f, on the prepared copies at p ± εδp too", () => {
    // The same f in place (whose copies are itself): the count is the user's own count of calls.
    // As a tensor function (whose copies at p ± εδp are separate compiled programs, counted
    // apart): the same tangent solve up to rounding in the step choices (measured: 2.4 % apart),
    // so within 5 % of it — leaving the copies out would count 3 of every 5 evaluations.
    let calls = 0;
    const tensorForm = differentiableRhs(scaled, u0, p, [4], 0);
    const inPlace: InPlaceOdeRhs = {
      f: (du, u, pp, t) => {
        calls++;
        tensorForm.f(du, u, pp, t);
      },
      vjp: () => {
        throw new Error("the explicit audit takes no VJP");
      },
    };
    const zero = () => [new Float64Array(2), new Float64Array(4)] as const;
    const counted = auditGradient(input(Tsit5(), ...zero(), 1e-8, inPlace));
    expect(counted.rhsEvals).toBe(calls);
    const compiled = auditGradient(input(Tsit5(), ...zero(), 1e-8));
    // f, two differences in u and two in p per tangent evaluation.
    expect(calls % 5).toBe(0);
    expect(compiled.rhsEvals % 5).toBe(0);
    expect(Math.abs(compiled.rhsEvals - calls)).toBeLessThan(0.05 * calls);
  });

  test("after a Rosenbrock solve the tangent comes from VJP rows (exact Jacobian), after an explicit one from f alone", () => {
    // The header's reason: finite differences of the finite-difference tangent put ~1e-3 noise
    // into a Rosenbrock W-matrix. The explicit audit above runs with a VJP that throws.
    let vjps = 0;
    const tensorForm = differentiableRhs(scaled, u0, p, [4], 0);
    const inPlace: InPlaceOdeRhs = {
      f: (du, u, pp, t) => tensorForm.f(du, u, pp, t),
      vjp: (uBar, pBar, lambda, u, pp, t) => {
        vjps++;
        if (pBar === null) tensorForm.vjpU(uBar, lambda, u, pp, t);
        else tensorForm.vjpUP(uBar, pBar, lambda, u, pp, t);
      },
    };
    const audit = auditGradient(input(Rodas4(), new Float64Array(2), new Float64Array(4), 1e-10, inPlace));
    expect(vjps).toBeGreaterThan(0);
    expect(Math.abs(audit.directional - d)).toBeLessThan(1e-8 * Math.abs(d));
  });
});

// The adjoint system's time derivative T = ∂/∂t[−J(u(t), t)ᵀλ] (adjoint-system.ts), called
// directly: the stiff adjoints reach it only through whole Rosenbrock solves, whose tests
// cannot see a wrong difference width (mutation testing, TESTING.md, left `min` → `max`,
// `ε^(1/3)·max(1, |t|)` → `/` and `piece/4` → `piece·4` alive).
//
// Problem: f(u, t) = t·u²/2 (n = 1), so (∂f/∂u)ᵀ(−λ) = −λ·t·u and, along a forward
// solution u(t), g(t) = −λ·t·u(t), T = −λ·(u(t) + t·u'(t)) — analytic, independent of the
// difference under test.
import { describe, expect, test } from "vitest";
import type { DenseForward } from "./adjoint-context.js";
import { AdjointSystem } from "./adjoint-system.js";
import { differentiableRhs } from "./differentiable-rhs.js";

const rhs = differentiableRhs(
  {
    f: (du, u, _p, t) => {
      du[0] = (t * u[0] * u[0]) / 2;
    },
    vjp: (uBar, _pBar, lambda, u, _p, t) => {
      uBar[0] = t * u[0] * lambda[0];
    },
  },
  new Float64Array(1),
  new Float64Array(0),
  [0],
  0,
);
const p = new Float64Array(0);
const lambda = 0.7;

/** T at t for the forward solution `u` (dense) read from `forward`. */
function tgrad(
  forward: DenseForward,
  t: number,
  direction: number,
  pieceLength?: (t: number) => number,
): number {
  const system = new AdjointSystem(rhs, p, forward, direction);
  if (pieceLength !== undefined) system.use(forward, pieceLength);
  const T = new Float64Array(1);
  system.tgrad(T, Float64Array.of(lambda), new Float64Array(0), t);
  return T[0];
}

const dense = (u: (t: number) => number): DenseForward => ({
  at: (t, out) => {
    out[0] = u(t);
    return out;
  },
});

describe("AdjointSystem.tgrad", () => {
  test.each([1, -1])("δ = ε^(1/3) when the forward piece is long (direction %d)", (direction) => {
    // u = eᵗ: g is not a quadratic in t, so δ matters (the second-order one-sided difference
    // has truncation error δ²·|g'''|/3). With δ = ε^(1/3) ≈ 6e-6 at t = 0.5: truncation ≈ 1e-11,
    // rounding ≈ ε·|g|/δ ≈ 4e-11; bound 1e-8 relative. A quarter of the piece (0.25, what
    // `max` would take) gives δ²·|g'''|/3 ≈ 0.1 relative.
    const t = 0.5;
    const exact = -lambda * (Math.exp(t) + t * Math.exp(t));
    const got = tgrad(dense(Math.exp), t, direction, () => 1);
    expect(Math.abs(got - exact)).toBeLessThan(1e-8 * Math.abs(exact));
  });

  test.each([1, -1])("the difference stays within a quarter of a short piece (direction %d)", (direction) => {
    // The forward piece entered is 1e-6 long; beyond it the forward solution has a kink
    // (slope +1e3), as at a forward step boundary of a stiff solve. δ = piece/4 = 2.5e-7:
    // t + 2dδ stays in the piece; rounding ε·|g|/δ ≈ 1e-9 relative, truncation ≈ 1e-14;
    // bound 1e-7 relative. δ = 4·piece or ε^(1/3) (6e-6) would read u past the kink.
    const t = 0.5;
    const piece = 1e-6;
    const u = (s: number) => {
      const beyond = direction * (s - t) - piece;
      return Math.exp(s) + (beyond > 0 ? 1e3 * beyond : 0);
    };
    const exact = -lambda * (Math.exp(t) + t * Math.exp(t));
    const got = tgrad(dense(u), t, direction, () => piece);
    expect(Math.abs(got - exact)).toBeLessThan(1e-7 * Math.abs(exact));
  });

  test("the width scales with |t|: accurate at t = 1000", () => {
    // u(t) = t makes g = −λt² a quadratic, which the second-order difference takes exactly:
    // what is left is rounding, ≈ ε·|g|/δ with δ = ε^(1/3)·|t| ≈ 6e-3, i.e. ≈ 1e-11 relative to
    // T = −2λt; bound 1e-8. A width of ε^(1/3)/|t| (6e-9) rounds t + δ to 1e-13/6e-9 ≈ 2e-5 of
    // itself.
    const t = 1000;
    const exact = -2 * lambda * t;
    const got = tgrad(
      dense((s) => s),
      t,
      -1,
    );
    expect(Math.abs(got - exact)).toBeLessThan(1e-8 * Math.abs(exact));
  });
});

// The gradient audit's edge cases, against closed forms: a right-hand side whose p-only work is
// done at prepare (each side of the p-difference must be prepared with its own p ± εδp), a
// problem without parameters, and a zero gradient (gᵀv = 0 = the directional derivative).
import { add, exp, mul, neg, sin, sum, type Tensor, tensor } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Tsit5 } from "../solvers/index.js";
import { differentiableRhs, type TensorOdeRhs } from "./differentiable-rhs.js";
import { type AuditInput, auditGradient } from "./gradient-audit.js";
import { solveOde } from "./solve-ode.js";

const u0 = Float64Array.of(1.5, -0.8);
const saveat = Float64Array.of(0.4, 1.1);
const cotangent = Float64Array.of(0.3, -1.2, 0.9, 0.5);

/**
 * u' = −a·u with a = e^(p₁ + p₂) (p-only work, done once at prepare), u(t) = u0·e^(−a·t):
 * the loss Σₖ gₖᵀu(tₖ) has ∂/∂u0ᵢ = Σₖ gₖᵢ·e^(−a·tₖ) and ∂/∂pⱼ = −Σₖ tₖ·a·e^(−a·tₖ)·gₖᵀu0.
 */
function exactGradient(p: Float64Array): { u0Bar: Float64Array; pBar: Float64Array } {
  const a = Math.exp(p.reduce((s, x) => s + x, 0));
  const u0Bar = new Float64Array(2);
  let dp = 0;
  for (let k = 0; k < saveat.length; k++) {
    const decay = Math.exp(-a * saveat[k]);
    for (let i = 0; i < 2; i++) {
      u0Bar[i] += cotangent[k * 2 + i] * decay;
      dp -= saveat[k] * a * decay * cotangent[k * 2 + i] * u0[i];
    }
  }
  return { u0Bar, pBar: new Float64Array(p.length).fill(dp) };
}

function audit(
  f: TensorOdeRhs,
  p: Float64Array,
  threshold: number,
  g = cotangent,
): ReturnType<typeof auditGradient> {
  const { u0Bar, pBar } = p.length > 0 ? exactGradient(p) : exactGradientNoP();
  const zero = g.every((x) => x === 0);
  const input: AuditInput = {
    rhs: differentiableRhs(f, u0, p, [p.length], 0),
    p,
    u0,
    tspan: [0, saveat[saveat.length - 1]],
    saveat,
    cotangent: g,
    u0Bar: zero ? new Float64Array(2) : u0Bar,
    pBar: zero ? new Float64Array(p.length) : pBar,
    solver: Tsit5(),
    stepping: { reltol: 1e-12, abstol: 1e-14 },
    method: "Test",
    threshold,
  };
  return auditGradient(input);
}

/** u' = −u without parameters: ∂/∂u0ᵢ = Σₖ gₖᵢ·e^(−tₖ). */
function exactGradientNoP(): { u0Bar: Float64Array; pBar: Float64Array } {
  return { u0Bar: exactGradient(Float64Array.of(0)).u0Bar, pBar: new Float64Array(0) };
}

describe("the gradient audit's directional derivative against closed forms", () => {
  test("p-only work: each side of the p-difference is prepared with its own parameters", () => {
    // A fresh function each run: differentiableRhs caches per function, spares included, and
    // an unprepared spare evaluates e^(p₁ + p₂) at the values it was compiled with.
    const f: TensorOdeRhs = (u: Tensor, p: Tensor) => mul(neg(exp(sum(p))), u);
    const result = audit(f, Float64Array.of(0.2, -0.5), Number.POSITIVE_INFINITY);
    // The tangent solve at reltol 1e-12 and the differences' O(ε^(2/3)) truncation: measured
    // 5e-11 and 4e-12, so 1e-9; an unprepared spare loses the whole p-term (an O(1) error).
    expect(result.relativeError).toBeLessThan(1e-9);
  });

  test("a problem without parameters (np = 0): no p-difference is taken", () => {
    const f: TensorOdeRhs = (u: Tensor) => neg(u);
    const result = audit(f, new Float64Array(0), Number.POSITIVE_INFINITY);
    expect(result.relativeError).toBeLessThan(1e-9);
  });

  test("a zero gradient agrees with a zero directional derivative, even at threshold 0", () => {
    const f: TensorOdeRhs = (u: Tensor, p: Tensor) => mul(neg(exp(sum(p))), u);
    const result = audit(f, Float64Array.of(0.2, -0.5), 0, new Float64Array(4));
    expect(result).toMatchObject({ adjoint: 0, directional: 0, relativeError: 0, threshold: 0 });
  });
});

describe("the u-difference's width is scaled down by the tangent's size", () => {
  // u′ = 100·p + sin u: the tangent s = ∂u/∂(u0, p)·v grows to ≈ 100 by t = 1, so a width scaled
  // by ‖s‖ the wrong way (ε·‖u‖·‖s‖ instead of ε·‖u‖/‖s‖) moves u by O(1) in sin u.
  const f: TensorOdeRhs = (u: Tensor, p: Tensor) => add(mul(100, p), sin(u));
  const x0 = Float64Array.of(0.3);
  const q0 = Float64Array.of(0.5);
  const T = Float64Array.of(1);
  const g = Float64Array.of(1);

  function auditWith(u0Bar: number, pBar: number): ReturnType<typeof auditGradient> {
    return auditGradient({
      rhs: differentiableRhs(f, x0, q0, [1], 0),
      p: q0,
      u0: x0,
      tspan: [0, 1],
      saveat: T,
      cotangent: g,
      u0Bar: Float64Array.of(u0Bar),
      pBar: Float64Array.of(pBar),
      solver: Tsit5(),
      stepping: { reltol: 1e-12, abstol: 1e-12 },
      method: "Test",
      threshold: Number.POSITIVE_INFINITY,
    });
  }

  test("the directional derivative against fourth-order central differences of u(1)", () => {
    // The audit's direction v, read off gᵀv with unit gradients.
    const v = [auditWith(1, 0).adjoint, auditWith(0, 1).adjoint];
    const L = (e: number) =>
      solveOde(f, tensor([x0[0] + e * v[0]]), tensor([q0[0] + e * v[1]]), {
        tspan: [0, 1],
        saveat: [1],
        solver: Tsit5(),
        reltol: 1e-12,
        abstol: 1e-12,
      }).data[0];
    const h = 1e-3;
    const reference = (8 * (L(h) - L(-h)) - (L(2 * h) - L(-2 * h))) / (12 * h);
    const { directional } = auditWith(0, 0);
    // Differences of width h = 1e-3 (truncation O(h⁴)) and the audit's own O(ε^(2/3)) ones:
    // measured 7.7e-11 relative; 1e-8 leaves room. The width scaled by ‖s‖ the wrong way gives 2.5e-4.
    expect(Math.abs(directional - reference)).toBeLessThan(1e-8 * Math.abs(reference));
  });
});

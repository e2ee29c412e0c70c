// The gradient audit's edge cases, against closed forms: a right-hand side whose p-only work is
// done at prepare (each side of the p-difference must be prepared with its own p ± εδp), a
// problem without parameters, and a zero gradient (gᵀv = 0 = the directional derivative).
import { exp, mul, neg, sum, type Tensor } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Tsit5 } from "../solvers/index.js";
import { differentiableRhs, type TensorOdeRhs } from "./differentiable-rhs.js";
import { type AuditInput, auditGradient } from "./gradient-audit.js";

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

/**
 * Order-condition checks for explicit Runge–Kutta tableaus and their dense outputs, using
 * the rooted-tree conditions of rooted-trees.ts (Hairer–Nørsett–Wanner I, §II.2 and, for
 * continuous extensions, §II.6: a dense output y₀ + h Σ bᵢ(θ) kᵢ has order q iff
 * Σᵢ bᵢ(θ) Φᵢ(t) = θ^|t| / γ(t) for all trees with |t| ≤ q, as polynomials in θ).
 */
import { elementaryWeights, type RootedTree, treesOfOrder } from "./rooted-trees.js";

export interface OrderConditionResidual {
  tree: RootedTree;
  /** b·Φ(t) − 1/γ(t). */
  residual: number;
}

/** Residuals of every condition up to maxOrder for weights b (length ≤ s, padded with zeros). */
export function orderConditionResiduals(
  A: Float64Array,
  s: number,
  b: ArrayLike<number>,
  maxOrder: number,
): OrderConditionResidual[] {
  const out: OrderConditionResidual[] = [];
  for (let p = 1; p <= maxOrder; p++) {
    for (const tree of treesOfOrder(p)) {
      const phi = elementaryWeights(tree, A, s);
      let acc = 0;
      for (let i = 0; i < b.length; i++) acc += b[i] * phi[i];
      out.push({ tree, residual: acc - 1 / tree.gamma });
    }
  }
  return out;
}

/**
 * The largest p ≤ maxOrder such that every condition of order ≤ p holds to `tol`
 * (relative to 1 + Σ|bᵢΦᵢ|, so that large coefficients given to 16 digits pass).
 */
export function satisfiedOrder(
  A: Float64Array,
  s: number,
  b: ArrayLike<number>,
  maxOrder: number,
  tol = 1e-11,
): number {
  let p = 0;
  for (let q = 1; q <= maxOrder; q++) {
    for (const tree of treesOfOrder(q)) {
      const phi = elementaryWeights(tree, A, s);
      let acc = 0;
      let scale = 1;
      for (let i = 0; i < b.length; i++) {
        acc += b[i] * phi[i];
        scale += Math.abs(b[i] * phi[i]);
      }
      if (Math.abs(acc - 1 / tree.gamma) > tol * scale) return p;
    }
    p = q;
  }
  return p;
}

/**
 * The largest q ≤ maxOrder such that the dense output with polynomial weights
 * bᵢ(θ) = Σ_d coeffs[i·degree + d]·θ^(d+1) satisfies every continuous condition of order ≤ q.
 */
export function satisfiedDenseOrder(
  A: Float64Array,
  s: number,
  coeffs: Float64Array,
  degree: number,
  maxOrder: number,
  tol = 1e-10,
): number {
  let q = 0;
  for (let p = 1; p <= maxOrder; p++) {
    for (const tree of treesOfOrder(p)) {
      const phi = elementaryWeights(tree, A, s);
      for (let d = 0; d < degree; d++) {
        let acc = 0;
        let scale = 1;
        for (let i = 0; i < s; i++) {
          acc += coeffs[i * degree + d] * phi[i];
          scale += Math.abs(coeffs[i * degree + d] * phi[i]);
        }
        const expected = d + 1 === tree.order ? 1 / tree.gamma : 0;
        if (Math.abs(acc - expected) > tol * scale) return q;
      }
    }
    q = p;
  }
  return q;
}

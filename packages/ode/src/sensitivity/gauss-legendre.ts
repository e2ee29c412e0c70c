/**
 * Gauss–Legendre quadrature on [0, 1]: the m-point rule, exact for polynomials of degree
 * 2m − 1. Nodes are the roots of the Legendre polynomial P_m, found by Newton's method from
 * the Chebyshev-like guess cos(π(i − 1/4)/(m + 1/2)); weights w = 2/((1 − ξ²)·P_m'(ξ)²)
 * (Abramowitz & Stegun, Handbook of Mathematical Functions, 25.4.29; Press et al.,
 * Numerical Recipes, §4.6). Mapped from [−1, 1] by x = (1 + ξ)/2, w ← w/2. Rules are cached.
 */
import { InvalidOptionError } from "../errors.js";

export interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

const cache = new Map<number, QuadratureRule>();

/** Legendre P_m(x) and its derivative, by the three-term recurrence. */
function legendre(m: number, x: number): [number, number] {
  let p0 = 1;
  let p1 = x;
  for (let k = 2; k <= m; k++) {
    const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  const pm = m === 0 ? 1 : p1;
  const pm1 = m === 0 ? 0 : p0;
  return [pm, (m * (x * pm - pm1)) / (x * x - 1)];
}

export function gaussLegendre(points: number): QuadratureRule {
  if (!Number.isInteger(points) || points < 1 || points > 64) {
    throw new InvalidOptionError(
      `@udekit/ode: Gauss–Legendre quadrature needs a whole number of points from 1 to 64; got ${points}.`,
    );
  }
  const hit = cache.get(points);
  if (hit !== undefined) return hit;
  const m = points;
  const nodes = new Float64Array(m);
  const weights = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (m + 0.5));
    for (let iter = 0; iter < 100; iter++) {
      const [p, dp] = legendre(m, x);
      const dx = p / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    const [, dp] = legendre(m, x);
    // ascending order on [0, 1]
    nodes[m - 1 - i] = (1 + x) / 2;
    weights[m - 1 - i] = 1 / ((1 - x * x) * dp * dp);
  }
  const rule = { nodes, weights };
  cache.set(points, rule);
  return rule;
}

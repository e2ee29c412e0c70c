/**
 * Cubic Hermite dense output for Runge–Kutta methods without a free interpolant of their
 * own: the cubic through (t₀, y₀, f₀) and (t₁, y₁, f₁). With y₁ − y₀ = h Σ bᵢkᵢ,
 * f₀ = k₁ and f₁ = k_end (the end stage f(t₁, y₁)) it is
 *   y(θ) = y₀ + h[ (3θ² − 2θ³) Σ bᵢkᵢ + (θ − 2θ² + θ³) k₁ + (θ³ − θ²) k_end ],
 * of order min(3, p) for a method of order p (Hairer–Nørsett–Wanner I, §II.6, eq. (6.7)).
 */
import type { ButcherTableau } from "../tableau/butcher-tableau.js";
import { type PolynomialInterpolant, polynomialInterpolant } from "./polynomial-interpolant.js";

export function hermiteInterpolant(tableau: ButcherTableau, methodOrder: number): PolynomialInterpolant {
  const rows: number[][] = [];
  const n = tableau.endStage + 1;
  for (let i = 0; i < n; i++) {
    const bi = i < tableau.stages ? tableau.b[i] : 0;
    const r = [0, 3 * bi, -2 * bi];
    if (i === 0) {
      r[0] += 1;
      r[1] -= 2;
      r[2] += 1;
    }
    if (i === tableau.endStage) {
      r[1] -= 1;
      r[2] += 1;
    }
    rows.push(r);
  }
  return polynomialInterpolant("cubic Hermite", Math.min(3, methodOrder), rows);
}

/**
 * Rosenbrock23: the modified Rosenbrock pair of Shampine & Reichelt (MATLAB's ode23s).
 * Order 2 with an order-3 error estimate, 3 stages with FSAL (2 new evaluations per step)
 * plus a Jacobian and one LU factorisation per step; L-stable; its own stiff-aware
 * dense output y(θ) = y₀ + h[θ(1−θ)/(1−2d) k₁ + θ(θ−2d)/(1−2d) k₂] (order 2).
 * With d = 1/(2 + √2), e₃₂ = 6 + √2, in classical Rosenbrock form:
 *   γ = d, α₂₁ = 1/2, α₃₂ = 1, γ₂₁ = −d, γ₃₁ = (e₃₂ − 2)d, γ₃₂ = −e₃₂d, b = (0, 1, 0),
 *   error estimate h/6 (k₁ − 2k₂ + k₃), time coefficients (d, 0, −d).
 * Use for stiff problems at loose tolerances (reltol ≳ 1e-3) and for problems with
 * discontinuities; Rodas4 is more efficient at tighter tolerances.
 * Reference: L. F. Shampine, M. W. Reichelt, "The MATLAB ODE Suite", SIAM J. Sci. Comput. 18
 * (1997) 1–22, §3.1 (the formulas of ode23s and its interpolant).
 */
import { polynomialInterpolant } from "../interpolation/polynomial-interpolant.js";
import { rosenbrock } from "../rosenbrock/engine.js";
import { fromClassical } from "../rosenbrock/tableau.js";

const d = 1 / (2 + Math.SQRT2);
const e32 = 6 + Math.SQRT2;

const { tableau, Ginv } = fromClassical({
  gamma: d,
  alpha: [[], [1 / 2], [0, 1]],
  Gamma: [[], [-d], [(e32 - 2) * d, -e32 * d]],
  c: [0, 1 / 2, 1],
  b: [0, 1, 0],
  // err = y₁ − ŷ with the order-3 solution ŷ = y + h(k₁ + 4k₂ + k₃)/6 (ode23s: err = h(k₁ − 2k₂ + k₃)/6 up to sign).
  bErr: [-1 / 6, 1 / 3, -1 / 6],
});

// The ode23s interpolant on the classical stages K₁, K₂ (θ and θ² coefficients), mapped to
// the transformed stages u through K = Γ⁻¹u: weight on uₗ = Σⱼ wⱼ(θ)·(Γ⁻¹)ⱼₗ.
const onK = [
  [1 / (1 - 2 * d), -1 / (1 - 2 * d)],
  [(-2 * d) / (1 - 2 * d), 1 / (1 - 2 * d)],
];
const rows = [0, 1].map((l) =>
  [0, 1].map((deg) => onK[0][deg] * Ginv[0 * 3 + l] + onK[1][deg] * Ginv[1 * 3 + l]),
);

export const rosenbrock23 = rosenbrock({
  name: "Rosenbrock23",
  tableau,
  interpolant: polynomialInterpolant("own 2nd-order (Shampine–Reichelt)", 2, rows),
  order: 2,
  embeddedOrder: 3,
  description: "Shampine–Reichelt (ode23s): stiff problems at loose tolerances.",
});

/** Rosenbrock23 (MATLAB ode23s): order 2, L-stable, FSAL, stiff. */
export function Rosenbrock23(): typeof rosenbrock23 {
  return rosenbrock23;
}

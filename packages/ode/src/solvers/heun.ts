/**
 * Heun: the explicit trapezoidal rule y₁ = y₀ + h/2 (k₁ + k₂), k₂ = f(t₀ + h, y₀ + h k₁).
 * Order 2, 2 stages, fixed step, cubic Hermite dense output (order 2).
 * Reference: Heun (1900); Hairer–Nørsett–Wanner I, §II.1, eq. (1.4).
 */
import { erk } from "../erk/engine.js";
import { hermiteInterpolant } from "../interpolation/hermite.js";
import { butcherTableau } from "../tableau/butcher-tableau.js";

const tableau = butcherTableau({ c: [0, 1], a: [[1]], b: [1 / 2, 1 / 2] });

export const heun = erk({
  name: "Heun",
  tableau,
  interpolant: hermiteInterpolant(tableau, 2),
  order: 2,
  embeddedOrder: 0,
  description: "Heun's (explicit trapezoidal) method, fixed step, order 2.",
});

/** Heun's method (order 2, fixed step; pass dt). */
export function Heun(): typeof heun {
  return heun;
}

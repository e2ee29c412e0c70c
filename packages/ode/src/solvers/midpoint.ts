/**
 * Midpoint: the explicit midpoint rule y₁ = y₀ + h f(t₀ + h/2, y₀ + (h/2) f(t₀, y₀)).
 * Order 2, 2 stages, fixed step, cubic Hermite dense output (order 2).
 * Reference: Runge (1895); Hairer–Nørsett–Wanner I, §II.1, eq. (1.3).
 */
import { erk } from "../erk/engine.js";
import { hermiteInterpolant } from "../interpolation/hermite.js";
import { butcherTableau } from "../tableau/butcher-tableau.js";

const tableau = butcherTableau({ c: [0, 1 / 2], a: [[1 / 2]], b: [0, 1] });

export const midpoint = erk({
  name: "Midpoint",
  tableau,
  interpolant: hermiteInterpolant(tableau, 2),
  order: 2,
  embeddedOrder: 0,
  description: "Explicit midpoint rule, fixed step, order 2.",
});

/** Explicit midpoint rule (order 2, fixed step; pass dt). */
export function Midpoint(): typeof midpoint {
  return midpoint;
}

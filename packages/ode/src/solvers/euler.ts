/**
 * Euler: the forward Euler method y₁ = y₀ + h f(t₀, y₀). Order 1, 1 stage, fixed step,
 * cubic Hermite dense output (order 1 here, limited by the method).
 * For teaching, tests and as the simplest baseline; never for accuracy.
 * Reference: Hairer–Nørsett–Wanner I, §I.7 and §II.1.
 */
import { erk } from "../erk/engine.js";
import { hermiteInterpolant } from "../interpolation/hermite.js";
import { butcherTableau } from "../tableau/butcher-tableau.js";

const tableau = butcherTableau({ c: [0], a: [], b: [1] });

export const euler = erk({
  name: "Euler",
  tableau,
  interpolant: hermiteInterpolant(tableau, 1),
  order: 1,
  embeddedOrder: 0,
  description: "Forward Euler, fixed step: a baseline and teaching method.",
});

/** Forward Euler (order 1, fixed step; pass dt). */
export function Euler(): typeof euler {
  return euler;
}

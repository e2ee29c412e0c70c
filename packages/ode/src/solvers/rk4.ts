/**
 * RK4: the classical Runge–Kutta method (Kutta 1901). Order 4, 4 stages, fixed step,
 * cubic Hermite dense output (order 3).
 * Use for fixed-step work on smooth non-stiff problems; prefer Tsit5 with adaptivity.
 * Reference: Hairer–Nørsett–Wanner I, §II.1, Table 1.2 (left).
 */
import { erk } from "../erk/engine.js";
import { hermiteInterpolant } from "../interpolation/hermite.js";
import { butcherTableau } from "../tableau/butcher-tableau.js";

const tableau = butcherTableau({
  c: [0, 1 / 2, 1 / 2, 1],
  a: [[1 / 2], [0, 1 / 2], [0, 0, 1]],
  b: [1 / 6, 1 / 3, 1 / 3, 1 / 6],
});

export const rk4 = erk({
  name: "RK4",
  tableau,
  interpolant: hermiteInterpolant(tableau, 4),
  order: 4,
  embeddedOrder: 0,
  description: "Classical 4th-order Runge–Kutta, fixed step.",
});

/** The classical Runge–Kutta method (order 4, fixed step; pass dt). */
export function RK4(): typeof rk4 {
  return rk4;
}

/**
 * BS3: the Bogacki–Shampine 3(2) pair (MATLAB's ode23). Order 3 with an embedded order-2
 * estimate, 4 stages with FSAL (3 evaluations per step), cubic Hermite dense output (order 3).
 * Use at loose tolerances (reltol ≳ 1e-4) on non-stiff problems.
 * Reference: P. Bogacki, L. F. Shampine, "A 3(2) pair of Runge–Kutta formulas",
 * Appl. Math. Lett. 2 (1989) 321–325, Table 1.
 */
import { erk } from "../erk/engine.js";
import { hermiteInterpolant } from "../interpolation/hermite.js";
import { butcherTableau } from "../tableau/butcher-tableau.js";

const b = [2 / 9, 1 / 3, 4 / 9, 0];
const bHat = [7 / 24, 1 / 4, 1 / 3, 1 / 8];

const tableau = butcherTableau({
  c: [0, 1 / 2, 3 / 4, 1],
  a: [[1 / 2], [0, 3 / 4], [2 / 9, 1 / 3, 4 / 9]],
  b,
  bErr: b.map((v, i) => v - bHat[i]),
});

export const bs3 = erk({
  name: "BS3",
  tableau,
  interpolant: hermiteInterpolant(tableau, 3),
  order: 3,
  embeddedOrder: 2,
  description: "Bogacki–Shampine 3(2): cheap steps for loose tolerances.",
});

/** Bogacki–Shampine 3(2) (MATLAB ode23): order 3, FSAL, adaptive. */
export function BS3(): typeof bs3 {
  return bs3;
}

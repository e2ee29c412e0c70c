/**
 * Tsit5: Tsitouras' 5(4) pair. Order 5 with an embedded order-4 estimate, 7 stages with
 * FSAL (6 evaluations per step), free 4th-order dense output. Derived satisfying only the
 * first column simplifying assumption, which frees parameters to minimise the principal
 * truncation error: usually fewer evaluations than DP5 for the same error.
 * The recommended default for non-stiff problems at reltol ≈ 1e-3…1e-8.
 * Reference: Ch. Tsitouras, "Runge–Kutta pairs of order 5(4) satisfying only the first
 * column simplifying assumption", Comput. Math. Appl. 62 (2011) 770–775, Table 1 and the
 * interpolant of §3 (coefficients as tabulated by DifferentialEquations.jl and diffrax).
 */
import { erk } from "../erk/engine.js";
import { polynomialInterpolant } from "../interpolation/polynomial-interpolant.js";
import { butcherTableau } from "../tableau/butcher-tableau.js";

const b = [
  0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081, 2.324710524099774, 0,
];
const bHat = [
  0.09468075576583945,
  0.009183565540343254,
  0.4877705284247616,
  1.234297566930479,
  -2.7077123499835256,
  1.866628418170587,
  1 / 66,
];

const tableau = butcherTableau({
  c: [0, 0.161, 0.327, 0.9, 0.9800255409045097, 1, 1],
  a: [
    [0.161],
    [-0.008480655492356989, 0.335480655492357],
    [2.8971530571054935, -6.359448489975075, 4.3622954328695815],
    [5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525],
    [5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401, -0.028269050394068383],
    b.slice(0, 6),
  ],
  b,
  bErr: b.map((v, i) => v - bHat[i]),
});

// bᵢ(θ) as polynomial coefficients of θ¹ … θ⁴ (Tsitouras 2011, §3).
const rows = [
  [1, -2.763706197274826, 2.9132554618219126, -1.0530884977290216],
  [0, 0.1317, -0.2234, 0.1017],
  [0, 3.9302962368947516, -5.941033872131505, 2.490627285651253],
  [0, -12.411077166933676, 30.33818863028232, -16.548102889244902],
  [0, 37.50931341651104, -88.1789048947664, 47.37952196281928],
  [0, -27.896526289197286, 65.09189467479366, -34.87065786149661],
  [0, 1.5, -4, 2.5],
];

export const tsit5 = erk({
  name: "Tsit5",
  tableau,
  interpolant: polynomialInterpolant("free 4th-order (Tsitouras 2011)", 4, rows),
  order: 5,
  embeddedOrder: 4,
  description: "Tsitouras 5(4): the recommended non-stiff default.",
});

/** Tsitouras 5(4): order 5, FSAL, free 4th-order interpolant, adaptive. */
export function Tsit5(): typeof tsit5 {
  return tsit5;
}

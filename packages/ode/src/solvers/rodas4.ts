/**
 * Rodas4: Hairer & Wanner's RODAS, a stiffly accurate Rosenbrock method of order 4 with an
 * embedded order-3 estimate, 6 stages (6 evaluations, one Jacobian and one LU factorisation
 * per step), L-stable, with its stiff-aware order-3 dense output
 *   y(θ) = (1−θ)y₀ + θ(y₁ + (1−θ)(k̃₁ + θk̃₂)),  k̃ᵣ = Σⱼ Hᵣⱼuⱼ.
 * Use for stiff problems at moderate to tight tolerances (reltol ≈ 1e-3…1e-8).
 * References: E. Hairer, G. Wanner, Solving ODEs II (1996), §IV.7 (RODAS: the
 * coefficient set of the RODAS Fortran code, "RODASC" with METH = 1) and its dense output;
 * dense-output coefficients H as tabulated in DifferentialEquations.jl's Rodas4Tableau.
 */
import { polynomialInterpolant } from "../interpolation/polynomial-interpolant.js";
import { rosenbrock } from "../rosenbrock/engine.js";
import { rosenbrockTableau } from "../rosenbrock/tableau.js";

const a5 = [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895];
const m = [...a5, 1, 1];

const tableau = rosenbrockTableau({
  gamma: 0.25,
  a: [
    [],
    [1.544],
    [0.9466785280815826, 0.2557011698983284],
    [3.314825187068521, 2.896124015972201, 0.9986419139977817],
    a5,
    [...a5, 1],
  ],
  C: [
    [],
    [-5.6688],
    [-2.430093356833875, -0.2063599157091915],
    [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
    [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.7089089320616],
    [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054],
  ],
  c: [0, 0.386, 0.21, 0.63, 1, 1],
  d: [0.25, -0.1043, 0.1035, -0.0362, 0, 0],
  m,
  // y₁ − ŷ = u₆: the embedded solution is the argument of stage 6.
  mErr: [0, 0, 0, 0, 0, 1],
  tol: 1e-9,
});

const H = [
  [10.12623508344586, -7.487995877610167, -34.80091861555747, -7.992771707568823, 1.025137723295662, 0],
  [-0.6762803392801253, 6.087714651680015, 16.43084320892478, 24.76722511418386, -6.594389125716872, 0],
];
// Weights on uⱼ: θ(mⱼ + H₁ⱼ) + θ²(H₂ⱼ − H₁ⱼ) − θ³H₂ⱼ.
const rows = m.map((mj, j) => [mj + H[0][j], H[1][j] - H[0][j], -H[1][j]]);

export const rodas4 = rosenbrock({
  name: "Rodas4",
  tableau,
  interpolant: polynomialInterpolant("own stiff-aware 3rd-order (Hairer–Wanner)", 3, rows),
  order: 4,
  embeddedOrder: 3,
  description: "Hairer–Wanner RODAS: the stiff default at moderate to tight tolerances.",
});

/** Rodas4: order 4, stiffly accurate, L-stable, own dense output, stiff. */
export function Rodas4(): typeof rodas4 {
  return rodas4;
}

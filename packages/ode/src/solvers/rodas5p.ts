/**
 * Rodas5P: Steinebach's stiffly accurate Rosenbrock–Wanner method of order 5 with an embedded
 * order-4 estimate, 8 stages (8 evaluations, one Jacobian and one LU factorisation per
 * step), A-stable, with a stiff-aware 4th-order dense output
 *   y(θ) = (1−θ)y₀ + θ(y₁ + (1−θ)(k̃₁ + θ(k̃₂ + θk̃₃))),  k̃ᵣ = Σⱼ Hᵣⱼuⱼ.
 * Its coefficients were fitted to keep order 5 also on index-1 DAEs and to reduce the order
 * drop on very stiff problems (Prothero–Robinson), where Rodas5 loses accuracy.
 * Use for stiff problems at tight tolerances (reltol ≈ 1e-6…1e-10); Rodas4 is often cheaper
 * at moderate ones.
 * References: G. Steinebach, "Construction of Rosenbrock–Wanner method Rodas5P and numerical
 * benchmarks within the Julia Differential Equations package", BIT Numer. Math. 63 (2023) 27,
 * coefficient set in the transformed form of Hairer–Wanner II §IV.7 (eqs. (7.17)–(7.19));
 * values as tabulated in DifferentialEquations.jl's Rodas5PTableau (OrdinaryDiffEqRosenbrock).
 */
import { polynomialInterpolant } from "../interpolation/polynomial-interpolant.js";
import { rosenbrock } from "../rosenbrock/engine.js";
import { rosenbrockTableau } from "../rosenbrock/tableau.js";

// Stage 6 is evaluated at y + Σⱼ a₆ⱼuⱼ (t + h); stages 7 and 8 add u₆ and u₇ to it, and
// y₁ adds u₈ (stiffly accurate: y₁ is the argument of the last stage plus its correction).
const a6 = [
  -7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256, 0.030198172008377946,
];
const m = [...a6, 1, 1, 1];

const tableau = rosenbrockTableau({
  gamma: 0.21193756319429014,
  a: [
    [],
    [3.0],
    [2.849394379747939, 0.45842242204463923],
    [-6.954028509809101, 2.489845061869568, -10.358996098473584],
    [2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641],
    a6,
    [...a6, 1],
    [...a6, 1, 1],
  ],
  C: [
    [],
    [-14.155112264123755],
    [-17.97296035885952, -2.859693295451294],
    [147.12150275711716, -1.41221402718213, 71.68940251302358],
    [165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306],
    [24.854864614690072, -3.0009227002832186, 47.4931110020768, 5.5814197821558125, -0.6610691825249471],
    [
      30.91273214028599, -3.1208243349937974, 77.79954646070892, 34.28646028294783, -19.097331116725623,
      -28.087943162872662,
    ],
    [
      37.80277123390563, -3.2571969029072276, 112.26918849496327, 66.9347231244047, -40.06618937091002,
      -54.66780262877968, -9.48861652309627,
    ],
  ],
  c: [0, 0.6358126895828704, 0.4095798393397535, 0.9769306725060716, 0.4288403609558664, 1, 1, 1],
  d: [
    0.21193756319429014, -0.42387512638858027, -0.3384627126235924, 1.8046452872882734, 2.325825639765069, 0,
    0, 0,
  ],
  m,
  // y₁ − ŷ = u₈: the embedded solution is the argument of stage 8.
  mErr: [0, 0, 0, 0, 0, 0, 0, 1],
  tol: 1e-9,
});

const H = [
  [
    25.948786856663858, -2.5579724845846235, 10.433815404888879, -2.3679251022685204, 0.524948541321073,
    1.1241088310450404, 0.4272876194431874, -0.17202221070155493,
  ],
  [
    -9.91568850695171, -0.9689944594115154, 3.0438037242978453, -24.495224566215796, 20.176138334709044,
    15.98066361424651, -6.789040303419874, -6.710236069923372,
  ],
  [
    11.419903575922262, 2.8879645146136994, 72.92137995996029, 80.12511834622643, -52.072871366152654,
    -59.78993625266729, -0.15582684282751913, 4.883087185713722,
  ],
];
// Weights on uⱼ: θ(mⱼ + H₁ⱼ) + θ²(H₂ⱼ − H₁ⱼ) + θ³(H₃ⱼ − H₂ⱼ) − θ⁴H₃ⱼ.
const rows = m.map((mj, j) => [mj + H[0][j], H[1][j] - H[0][j], H[2][j] - H[1][j], -H[2][j]]);

export const rodas5p = rosenbrock({
  name: "Rodas5P",
  tableau,
  interpolant: polynomialInterpolant("own stiff-aware 4th-order (Steinebach 2023)", 4, rows),
  order: 5,
  embeddedOrder: 4,
  description: "Steinebach's Rodas5P: stiff problems (and index-1 DAE-like stiffness) at tight tolerances.",
});

/** Rodas5P: order 5, stiffly accurate, A-stable, own 4th-order dense output, stiff. */
export function Rodas5P(): typeof rodas5p {
  return rodas5p;
}

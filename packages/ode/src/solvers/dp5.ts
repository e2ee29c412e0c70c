/**
 * DP5: the Dormand–Prince 5(4) pair (DOPRI5, MATLAB's ode45). Order 5 with an embedded
 * order-4 estimate, 7 stages with FSAL (6 evaluations per step), free 4th-order dense output
 * (Shampine's interpolant as in Hairer's DOPRI5 code, coefficients d₁…d₇).
 * The long-standing default for non-stiff problems at moderate tolerances; Tsit5 is usually
 * a little cheaper for the same error.
 * References: J. R. Dormand, P. J. Prince, "A family of embedded Runge–Kutta formulae",
 * J. Comput. Appl. Math. 6 (1980) 19–26, Table 2; L. F. Shampine, "Some practical Runge–Kutta
 * formulas", Math. Comp. 46 (1986) 135–150 (dense output); Hairer–Nørsett–Wanner I,
 * §II.5 Table 5.2 and §II.6 (dense output, CONTD5). Step control: the defaults of Hairer's
 * DOPRI5 code (E. Hairer, G. Wanner, dopri5.f: BETA = 0.04, EXPO1 = 0.2 − 0.75·BETA, SAFE = 0.9,
 * FAC1 = 0.2, FAC2 = 10; the stabilised PI control of Hairer–Wanner II §IV.2), which
 * DifferentialEquations.jl also gives DP5 (beta2 = 4/100, beta1 = 1/5 − 3·beta2/4).
 */
import { erk } from "../erk/engine.js";
import { polynomialInterpolant } from "../interpolation/polynomial-interpolant.js";
import { butcherTableau } from "../tableau/butcher-tableau.js";

const b = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
const bHat = [5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40];

const tableau = butcherTableau({
  c: [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1],
  a: [
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    b.slice(0, 6),
  ],
  b,
  bErr: b.map((v, i) => v - bHat[i]),
});

// Hairer's dense output y(θ) = y₀ + θr₂ + θ(1−θ)r₃ + θ²(1−θ)r₄ + θ²(1−θ)²r₅ with
// r₂ = hΣbᵢkᵢ, r₃ = hk₁ − r₂, r₄ = 2r₂ − hk₁ − hk₇, r₅ = hΣdᵢkᵢ, expanded per stage into
// the weights bᵢ(θ) = δᵢ₁θ + (3bᵢ − 2δᵢ₁ − δᵢ₇ + dᵢ)θ² + (−2bᵢ + δᵢ₁ + δᵢ₇ − 2dᵢ)θ³ + dᵢθ⁴.
const d = [
  -12715105075 / 11282082432,
  0,
  87487479700 / 32700410799,
  -10690763975 / 1880347072,
  701980252875 / 199316789632,
  -1453857185 / 822651844,
  69997945 / 29380423,
];
const rows = b.map((bi, i) => {
  const first = i === 0 ? 1 : 0;
  const last = i === 6 ? 1 : 0;
  return [first, 3 * bi - 2 * first - last + d[i], -2 * bi + first + last - 2 * d[i], d[i]];
});

const method = erk({
  name: "DP5",
  tableau,
  interpolant: polynomialInterpolant("free 4th-order (Shampine 1986)", 4, rows),
  order: 5,
  embeddedOrder: 4,
  description: "Dormand–Prince 5(4) (ode45): the classic non-stiff default.",
});

/** DOPRI5's PI parameters: β₂ = 0.04, β₁ = 1/5 − 0.75·β₂ (safety, qmin, qmax: the generic 0.9, 0.2, 10). */
const BETA = 0.04;
export const dp5 = Object.assign(method, {
  controllerDefaults: { beta1: 0.2 - 0.75 * BETA, beta2: BETA },
});

/** Dormand–Prince 5(4): order 5, FSAL, free 4th-order interpolant, adaptive. */
export function DP5(): typeof dp5 {
  return dp5;
}

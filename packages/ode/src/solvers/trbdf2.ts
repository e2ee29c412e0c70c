/**
 * TRBDF2: a trapezoidal-rule step to t + γh followed by a BDF2 step to t + h, with
 * γ = 2 − √2 so that both solve with the same matrix I − (γ/2)hJ. Order 2, L-stable, written as
 * a 3-stage ESDIRK (Hosea & Shampine 1996, §2), d = γ/2, ω = √2/4:
 *   c = (0, γ, 1),  A = [0; d d; ω ω d],  b = (ω, ω, d)  (stiffly accurate),
 * with the embedded order-3 weights b̂ = ((1 − ω)/3, (3ω + 1)/3, d/3) whose difference, filtered
 * by W⁻¹ (the engine does), is the error estimate. Newton starting guesses: z₂⁰ = z₁ = h·f₀, and
 * z₃⁰ = h·q'(t + h) for the quadratic q through y₀ (slope f₀) and the TR stage value Y₂, i.e.
 * (1 − 1/γ)z₁ + (1/γ)z₂ = −(√2/2)z₁ + (1 + √2/2)z₂ (Shampine's guess, as tabulated by
 * OrdinaryDiffEq's TRBDF2Tableau). Dense output: the quadratic through y₀, Y₂ = y(t + γh) and y₁
 * (MATLAB's ode23tb, ntrp23tb), order 2, written as weights on z₁, z₂, z₃: with the Lagrange
 * basis L₂(θ) = θ(θ − 1)/(γ(γ − 1)), L₃(θ) = θ(θ − γ)/(1 − γ), wᵢ(θ) = L₂(θ)a₂ᵢ + L₃(θ)bᵢ.
 * Use for stiff problems at loose tolerances, as Rosenbrock23; it needs no ∂f/∂t, and a
 * Jacobian that is only approximate slows its Newton iterations instead of its accuracy.
 * References: R. E. Bank, W. M. Coughran Jr., W. Fichtner, E. H. Grosse, D. J. Rose,
 * R. K. Smith, "Transient simulation of silicon devices and circuits", IEEE Trans. CAD 4 (1985)
 * 436–451; M. E. Hosea, L. F. Shampine, "Analysis and implementation of TR-BDF2", Appl. Numer.
 * Math. 20 (1996) 21–37; L. F. Shampine, M. W. Reichelt, "The MATLAB ODE Suite", SIAM J. Sci.
 * Comput. 18 (1997) 1–22 (ode23tb).
 */
import { polynomialInterpolant } from "../interpolation/polynomial-interpolant.js";
import { sdirk } from "../sdirk/engine.js";
import { sdirkTableau } from "../sdirk/tableau.js";

const gamma = 2 - Math.SQRT2;
const d = gamma / 2;
const omega = Math.SQRT2 / 4;
const b = [omega, omega, d];
const bHat = [(1 - omega) / 3, (3 * omega + 1) / 3, d / 3];

const tableau = sdirkTableau({
  c: [0, gamma, 1],
  a: [[0], [d, d], b],
  b,
  bErr: b.map((v, i) => v - bHat[i]),
  predict: [[1], [1 - 1 / gamma, 1 / gamma]],
});

// Coefficients of θ and θ² of the Lagrange basis polynomials at the nodes γ and 1.
const l2 = [-1 / (gamma * (gamma - 1)), 1 / (gamma * (gamma - 1))];
const l3 = [-gamma / (1 - gamma), 1 / (1 - gamma)];
const a2 = [d, d, 0];
const rows = [0, 1, 2].map((i) => [0, 1].map((deg) => l2[deg] * a2[i] + l3[deg] * b[i]));

export const trbdf2 = sdirk({
  name: "TRBDF2",
  tableau,
  interpolant: polynomialInterpolant("quadratic through y₀, y(t + γh), y₁ (ode23tb)", 2, rows),
  order: 2,
  embeddedOrder: 3,
  description: "TR-BDF2 (ode23tb): an L-stable SDIRK for stiff problems at loose tolerances.",
});

/** TRBDF2 (MATLAB ode23tb): order 2, L-stable, ESDIRK with Newton iterations, stiff. */
export function TRBDF2(): typeof trbdf2 {
  return trbdf2;
}

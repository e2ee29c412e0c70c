/**
 * Nesterov momentum (Nesterov 1983, in the reformulation of Sutskever, Martens, Dahl & Hinton,
 * ICML 2013, eq. 3–4, as Optimisers.jl `Nesterov`, defaults η = 0.001, ρ = 0.9):
 *   v ← ρ·v − η·g,  x ← x + ρ·v − η·g   (the look-ahead step with the new velocity).
 */
import { type MomentumOptions, velocityMethod } from "./momentum.js";
import type { Optimiser } from "./optimiser.js";

export type NesterovOptions = MomentumOptions;

/** Gradient descent with Nesterov momentum. State: velocity `v`. */
export function Nesterov(options: number | NesterovOptions = {}): Optimiser {
  return velocityMethod("Nesterov", 0.001, options, (v, params, grad, rho, step) => {
    for (let i = 0; i < params.length; i++) {
      const g = step * grad[i];
      v[i] = rho * v[i] - g;
      params[i] += rho * v[i] - g;
    }
  });
}

/**
 * Nesterov momentum (Nesterov 1983, in the reformulation of Sutskever, Martens, Dahl & Hinton,
 * ICML 2013, eq. 3–4, as Optimisers.jl `Nesterov`, defaults η = 0.001, ρ = 0.9):
 *   v ← ρ·v − η·g,  x ← x + ρ·v − η·g   (the look-ahead step with the new velocity).
 */
import {
  type CommonOptions,
  checkClip,
  checkEta,
  checkHyper,
  freshState,
  learningRate,
  type Optimiser,
  prepareUpdate,
} from "./optimiser.js";

export interface NesterovOptions extends CommonOptions {
  /** Momentum coefficient ρ ∈ [0, 1). Default 0.9. */
  readonly rho?: number;
}

/** Gradient descent with Nesterov momentum. State: velocity `v`. */
export function Nesterov(options: number | NesterovOptions = {}): Optimiser {
  const o = typeof options === "number" ? { eta: options } : options;
  const eta = checkEta("Nesterov", o.eta ?? 0.001);
  const rho = checkHyper(
    "Nesterov",
    "rho",
    o.rho ?? 0.9,
    0,
    1 - Number.EPSILON,
    "pass 0 ≤ rho < 1, e.g. 0.9",
  );
  const clipNorm = checkClip("Nesterov", o.clipNorm);
  return {
    name: "Nesterov",
    hyperparameters: { eta: typeof eta === "number" ? eta : "schedule", rho },
    init: (params) => freshState("Nesterov", params, ["v"]),
    update(state, params, grad) {
      const c = prepareUpdate("Nesterov", state, params, grad, clipNorm);
      state.t += 1;
      const step = learningRate(eta, state.t) * c;
      const v = state.buffers.v;
      for (let i = 0; i < params.length; i++) {
        const g = step * grad[i];
        v[i] = rho * v[i] - g;
        params[i] += rho * v[i] - g;
      }
      return state;
    },
  };
}

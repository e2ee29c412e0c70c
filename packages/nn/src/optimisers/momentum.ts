/**
 * Momentum (heavy ball; Polyak 1964, in the form of Optimisers.jl `Momentum`, defaults η = 0.01,
 * ρ = 0.9): v ← ρ·v − η·g, x ← x + v. Equals PyTorch's SGD(momentum = ρ) for a constant η.
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

export interface MomentumOptions extends CommonOptions {
  /** Momentum coefficient ρ ∈ [0, 1). Default 0.9. */
  readonly rho?: number;
}

/** Gradient descent with (heavy-ball) momentum. State: velocity `v`. */
export function Momentum(options: number | MomentumOptions = {}): Optimiser {
  const o = typeof options === "number" ? { eta: options } : options;
  const eta = checkEta("Momentum", o.eta ?? 0.01);
  const rho = checkHyper(
    "Momentum",
    "rho",
    o.rho ?? 0.9,
    0,
    1 - Number.EPSILON,
    "pass 0 ≤ rho < 1, e.g. 0.9",
  );
  const clipNorm = checkClip("Momentum", o.clipNorm);
  return {
    name: "Momentum",
    hyperparameters: { eta: typeof eta === "number" ? eta : "schedule", rho },
    init: (params) => freshState("Momentum", params, ["v"]),
    update(state, params, grad) {
      const c = prepareUpdate("Momentum", state, params, grad, clipNorm);
      state.t += 1;
      const step = learningRate(eta, state.t) * c;
      const v = state.buffers.v;
      for (let i = 0; i < params.length; i++) {
        v[i] = rho * v[i] - step * grad[i];
        params[i] += v[i];
      }
      return state;
    },
  };
}

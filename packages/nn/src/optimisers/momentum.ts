/**
 * Momentum (heavy ball; Polyak 1964, in the form of Optimisers.jl `Momentum`, defaults η = 0.01,
 * ρ = 0.9): v ← ρ·v − η·g, x ← x + v. Equals PyTorch's SGD(momentum = ρ) for a constant η.
 */
import {
  type CommonOptions,
  checkClip,
  checkEta,
  checkHyper,
  checkOptionNames,
  freshState,
  learningRate,
  type Optimiser,
  prepareUpdate,
} from "./optimiser.js";

export interface MomentumOptions extends CommonOptions {
  /** Momentum coefficient ρ ∈ [0, 1). Default 0.9. */
  readonly rho?: number;
}

/**
 * A velocity method (momentum family): options, state and bookkeeping shared by Momentum and
 * Nesterov; `apply` does one step in place given ρ and the step size η_t·c.
 */
export function velocityMethod(
  name: string,
  defaultEta: number,
  options: number | MomentumOptions,
  apply: (v: Float64Array, params: Float64Array, grad: Float64Array, rho: number, step: number) => void,
): Optimiser {
  checkOptionNames(name, options, ["eta", "rho", "clipNorm"]);
  const o = typeof options === "number" ? { eta: options } : options;
  const eta = checkEta(name, o.eta ?? defaultEta);
  const rho = checkHyper(name, "rho", o.rho ?? 0.9, 0, 1 - Number.EPSILON, "pass 0 ≤ rho < 1, e.g. 0.9");
  const clipNorm = checkClip(name, o.clipNorm);
  return {
    name,
    hyperparameters: { eta: typeof eta === "number" ? eta : "schedule", rho },
    init: (params) => freshState(name, params, ["v"]),
    update(state, params, grad) {
      const c = prepareUpdate(name, state, params, grad, clipNorm);
      state.t += 1;
      apply(state.buffers.v, params, grad, rho, learningRate(eta, state.t) * c);
      return state;
    },
  };
}

/** Gradient descent with (heavy-ball) momentum. State: velocity `v`. */
export function Momentum(options: number | MomentumOptions = {}): Optimiser {
  return velocityMethod("Momentum", 0.01, options, (v, params, grad, rho, step) => {
    for (let i = 0; i < params.length; i++) {
      v[i] = rho * v[i] - step * grad[i];
      params[i] += v[i];
    }
  });
}

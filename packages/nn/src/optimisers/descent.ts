/**
 * Descent: plain gradient descent, x ← x − η·g (Optimisers.jl `Descent`, default η = 0.1).
 * No state besides the update count.
 */
import {
  type CommonOptions,
  checkClip,
  checkEta,
  checkOptionNames,
  freshState,
  learningRate,
  type Optimiser,
  prepareUpdate,
} from "./optimiser.js";

/** Gradient descent with learning rate `eta` (number or options). */
export function Descent(options: number | CommonOptions = {}): Optimiser {
  checkOptionNames("Descent", options, ["eta", "clipNorm"]);
  const o = typeof options === "number" ? { eta: options } : options;
  const eta = checkEta("Descent", o.eta ?? 0.1);
  const clipNorm = checkClip("Descent", o.clipNorm);
  return {
    name: "Descent",
    hyperparameters: { eta: typeof eta === "number" ? eta : "schedule" },
    init: (params) => freshState("Descent", params, []),
    update(state, params, grad) {
      const c = prepareUpdate("Descent", state, params, grad, clipNorm);
      state.t += 1;
      const step = learningRate(eta, state.t) * c;
      for (let i = 0; i < params.length; i++) params[i] -= step * grad[i];
      return state;
    },
  };
}

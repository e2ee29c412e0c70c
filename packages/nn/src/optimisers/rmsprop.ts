/**
 * RMSProp (Tieleman & Hinton, Coursera lecture 6.5, 2012; as Optimisers.jl `RMSProp` without
 * centring or momentum, defaults η = 0.001, ρ = 0.9, ε = 1e-8):
 *   a ← ρ·a + (1 − ρ)·g²,  x ← x − η·g / (√a + ε).
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

export interface RMSPropOptions extends CommonOptions {
  /** Decay of the squared-gradient average, in [0, 1). Default 0.9. */
  readonly rho?: number;
  /** Added to √a for stability. Default 1e-8. */
  readonly epsilon?: number;
}

/** RMSProp. State: running mean of squared gradients `a`. */
export function RMSProp(options: number | RMSPropOptions = {}): Optimiser {
  checkOptionNames("RMSProp", options, ["eta", "rho", "epsilon", "clipNorm"]);
  const o = typeof options === "number" ? { eta: options } : options;
  const eta = checkEta("RMSProp", o.eta ?? 0.001);
  const rho = checkHyper("RMSProp", "rho", o.rho ?? 0.9, 0, 1 - Number.EPSILON, "pass 0 ≤ rho < 1, e.g. 0.9");
  const epsilon = checkHyper(
    "RMSProp",
    "epsilon",
    o.epsilon ?? 1e-8,
    0,
    Number.POSITIVE_INFINITY,
    "pass ε ≥ 0",
  );
  const clipNorm = checkClip("RMSProp", o.clipNorm);
  return {
    name: "RMSProp",
    hyperparameters: { eta: typeof eta === "number" ? eta : "schedule", rho, epsilon },
    init: (params) => freshState("RMSProp", params, ["a"]),
    update(state, params, grad) {
      const c = prepareUpdate("RMSProp", state, params, grad, clipNorm);
      state.t += 1;
      const step = learningRate(eta, state.t);
      const a = state.buffers.a;
      for (let i = 0; i < params.length; i++) {
        const g = c * grad[i];
        a[i] = rho * a[i] + (1 - rho) * g * g;
        params[i] -= (step * g) / (Math.sqrt(a[i]) + epsilon);
      }
      return state;
    },
  };
}

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled weight decay
 * regularization", ICLR 2019, Algorithm 2):
 *   x ← x − η · (m̂ / (√v̂ + ε) + λ·x),
 * the decay scaled by the (scheduled) learning rate as in PyTorch's AdamW and Optimisers.jl's
 * AdamW(couple = true). Default λ = 0.01 (PyTorch's default).
 */
import { type AdamOptions, adamHyper, adamStep } from "./adam.js";
import { checkHyper, checkOptionNames, freshState, type Optimiser } from "./optimiser.js";

export interface AdamWOptions extends AdamOptions {
  /** Weight-decay coefficient λ ≥ 0. Default 0.01. */
  readonly lambda?: number;
}

/** AdamW. State: first moment `m`, second moment `v`, update count `t`. */
export function AdamW(options: number | AdamWOptions = {}): Optimiser {
  checkOptionNames("AdamW", options, ["eta", "beta1", "beta2", "epsilon", "lambda", "clipNorm"]);
  const o = typeof options === "number" ? { eta: options } : options;
  const h = adamHyper("AdamW", o);
  const lambda = checkHyper("AdamW", "lambda", o.lambda ?? 0.01, 0, Number.POSITIVE_INFINITY, "pass λ ≥ 0");
  return {
    name: "AdamW",
    hyperparameters: {
      eta: typeof h.eta === "number" ? h.eta : "schedule",
      beta1: h.beta1,
      beta2: h.beta2,
      epsilon: h.epsilon,
      lambda,
    },
    init: (params) => freshState("AdamW", params, ["m", "v"]),
    update: (state, params, grad) => adamStep("AdamW", h, lambda, state, params, grad),
  };
}

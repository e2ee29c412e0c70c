/**
 * Adam (Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015, Algorithm 1;
 * defaults η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8 as there and in Optimisers.jl):
 *   m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²,
 *   x ← x − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
 * The bias corrections use the update count t stored in the state.
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
  type OptimiserState,
  prepareUpdate,
} from "./optimiser.js";

export interface AdamOptions extends CommonOptions {
  /** Decay of the first moment, in [0, 1). Default 0.9. */
  readonly beta1?: number;
  /** Decay of the second moment, in [0, 1). Default 0.999. */
  readonly beta2?: number;
  /** Added to √v̂ for stability. Default 1e-8. */
  readonly epsilon?: number;
}

/** Validated Adam hyperparameters (shared with AdamW). */
export function adamHyper(rule: string, o: AdamOptions) {
  const below1 = 1 - Number.EPSILON;
  return {
    eta: checkEta(rule, o.eta ?? 0.001),
    beta1: checkHyper(rule, "beta1", o.beta1 ?? 0.9, 0, below1, "pass 0 ≤ beta1 < 1, e.g. 0.9"),
    beta2: checkHyper(rule, "beta2", o.beta2 ?? 0.999, 0, below1, "pass 0 ≤ beta2 < 1, e.g. 0.999"),
    epsilon: checkHyper(
      rule,
      "epsilon",
      o.epsilon ?? 1e-8,
      0,
      Number.POSITIVE_INFINITY,
      "pass a small ε ≥ 0",
    ),
    clipNorm: checkClip(rule, o.clipNorm),
  };
}

/**
 * The Adam moment update and step, x ← x − η·(m̂/(√v̂ + ε) + λ·x) (λ = 0 for Adam); used by
 * Adam and AdamW.
 */
export function adamStep(
  rule: string,
  h: ReturnType<typeof adamHyper>,
  lambda: number,
  state: OptimiserState,
  params: Float64Array,
  grad: Float64Array,
): OptimiserState {
  const c = prepareUpdate(rule, state, params, grad, h.clipNorm);
  state.t += 1;
  const t = state.t;
  const eta = learningRate(h.eta, t);
  const { beta1, beta2, epsilon } = h;
  const bc1 = 1 - beta1 ** t;
  const bc2 = 1 - beta2 ** t;
  const m = state.buffers.m;
  const v = state.buffers.v;
  for (let i = 0; i < params.length; i++) {
    const g = c * grad[i];
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    params[i] -= eta * (m[i] / bc1 / (Math.sqrt(v[i] / bc2) + epsilon) + lambda * params[i]);
  }
  return state;
}

/** Adam. State: first moment `m`, second moment `v`, update count `t`. */
export function Adam(options: number | AdamOptions = {}): Optimiser {
  checkOptionNames("Adam", options, ["eta", "beta1", "beta2", "epsilon", "clipNorm"]);
  const h = adamHyper("Adam", typeof options === "number" ? { eta: options } : options);
  return {
    name: "Adam",
    hyperparameters: {
      eta: typeof h.eta === "number" ? h.eta : "schedule",
      beta1: h.beta1,
      beta2: h.beta2,
      epsilon: h.epsilon,
    },
    init: (params) => freshState("Adam", params, ["m", "v"]),
    update: (state, params, grad) => adamStep("Adam", h, 0, state, params, grad),
  };
}

/**
 * L2 and L1 regularisation (`--l2 λ`, `--l1 λ`) of the training objective:
 *
 *   objective = data loss + λ₂ · Σ θ_j² + λ₁ · Σ |θ_j|,  over the penalised entries θ_j,
 *
 * the penalised entries being every entry of P and the net's weight matrices; the net's biases are
 * not penalised (the convention of weight decay in Lux/Flux/Optax and diffrax examples: a bias
 * shifts an activation and shrinking it towards 0 is no simpler model). The gradient is
 * 2·λ₂·θ_j + λ₁·sign(θ_j), with sign(0) = 0 for the L1 term: a subgradient, so Adam's iterates
 * oscillate near 0 rather than land exactly on 0 (there is no proximal step), and L-BFGS, which
 * assumes a smooth objective, may stop at a kink ("line search found no further decrease").
 *
 * For a constrained P (a model file's "nonnegative": P = softplus(θ)) the penalty is on the fitted
 * θ, the entries of the parameter vector, not on P.
 *
 * The penalty is added outside the sensitivity method (it does not involve the ODE), so every
 * --sensealg gets the same, exact penalty gradient. The layout of the parameter vector is read
 * from the model's named views: P (n² entries) first, then per layer its weight then its bias.
 */
import type { ModelParams } from "./model.js";

export interface Penalty {
  l1: number;
  l2: number;
  /** 1 where an entry of the parameter vector is penalised. */
  mask: Uint8Array;
}

/** 1 for P's entries and the net's weights, 0 for the net's biases. */
export function penaltyMask(params: ModelParams): Uint8Array {
  const mask = new Uint8Array(params.vector.length);
  // P's n² entries when the model has the linear part (P() is [] without it).
  const rows = params.P().length;
  let offset = rows * rows;
  mask.fill(1, 0, offset);
  for (const layer of params.layers()) {
    const weights = layer.weight.length * (layer.weight[0]?.length ?? 0);
    mask.fill(1, offset, offset + weights);
    offset += weights + layer.bias.length;
  }
  return mask;
}

/** The penalty of `params` (undefined when both λ are 0). */
export function penaltyFor(params: ModelParams, l1: number, l2: number): Penalty | undefined {
  if (l1 === 0 && l2 === 0) return undefined;
  return { l1, l2, mask: penaltyMask(params) };
}

/** λ₂ Σ θ² + λ₁ Σ |θ| over the penalised entries of x. */
export function penaltyValue(p: Penalty, x: Float64Array): number {
  let sq = 0;
  let abs = 0;
  for (let j = 0; j < x.length; j++) {
    if (p.mask[j] === 0) continue;
    sq += x[j] * x[j];
    abs += Math.abs(x[j]);
  }
  return p.l2 * sq + p.l1 * abs;
}

/** Adds the penalty's (sub)gradient at x into g; returns the penalty's value. */
export function addPenalty(p: Penalty, x: Float64Array, g: Float64Array): number {
  for (let j = 0; j < x.length; j++) {
    if (p.mask[j] === 0) continue;
    g[j] += 2 * p.l2 * x[j] + p.l1 * Math.sign(x[j]);
  }
  return penaltyValue(p, x);
}

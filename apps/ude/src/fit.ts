/**
 * What the loss fits: the observations as solveOde's [m, n] layout with missing values (NaN)
 * replaced by 0, and per-observation weights for the training loss and the validation loss:
 *
 *   training loss   = Σ_k Σ_i w_ki · (prediction_ki − data_ki)²  over observed, not held-out entries,
 *   validation loss = the same sum over observed, held-out entries (holdout.ts),
 *
 * with w the user's weights (`--weights`, 1 without) and w = 0 where a value is missing, so a
 * missing value adds nothing to the loss or to its gradient. Without missing values, weights or a
 * hold-out the loss is the plain Σ (prediction − data)² (no weight tensor: the same numbers and
 * cost as before).
 */
import { mul, square, sub, sum, type Tensor, tensor } from "@udekit/autodiff";
import { InputFileError } from "./errors.js";
import type { Holdout } from "./holdout.js";
import type { Observations } from "./model.js";

export interface FitTargets {
  /** [m, n]; missing entries are 0 (their weight is 0). */
  data: Tensor;
  /** Training weights [m, n]; undefined: every entry has weight 1. */
  train?: Tensor;
  /** Validation weights [m, n] (with a hold-out only). */
  validation?: Tensor;
  /** Observations after the initial condition (n · (m − 1)), of which `missing` are missing. */
  observations: number;
  missing: number;
  /** Observed values held out for validation. */
  heldOut: number;
  holdout?: Holdout;
}

export interface FitOptions {
  /** n rows × m columns, ≥ 0; NaN (missing) means 0. */
  weights?: readonly (readonly number[])[];
  holdout?: Holdout;
}

/** The fit targets of observations (see the file header). */
export function fitTargets(obs: Observations, options: FitOptions = {}): FitTargets {
  const n = obs.values.length;
  const m = obs.times.length;
  const { weights, holdout } = options;
  const data = new Float64Array(m * n);
  const train = new Float64Array(m * n);
  const validation = new Float64Array(m * n);
  const heldNode = new Uint8Array(n);
  for (const i of holdout?.nodes ?? []) heldNode[i] = 1;
  const heldColumn = new Uint8Array(m);
  for (const k of holdout?.columns ?? []) heldColumn[k] = 1;
  let missing = 0;
  let heldOut = 0;
  let trainWeight = 0;
  let plain = true;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) {
      const x = obs.values[i][k];
      // No weights file: 1 everywhere; a missing cell of a weights file: 0.
      const w = weights === undefined ? 1 : Number.isNaN(weights[i][k]) ? 0 : weights[i][k];
      const at = k * n + i;
      if (Number.isNaN(x)) {
        missing++;
        plain = false;
        continue;
      }
      data[at] = x;
      // Column 0 is the initial condition: its residual is 0, whatever its weight.
      if (k > 0 && (heldNode[i] === 1 || heldColumn[k] === 1)) {
        validation[at] = w;
        heldOut++;
        plain = false;
      } else {
        train[at] = w;
        if (k > 0) trainWeight += w;
        if (w !== 1) plain = false;
      }
    }
  }
  if (!(trainWeight > 0)) {
    throw new InputFileError(
      "no observation is left to train on: every value after the initial condition is missing, held out (--holdout) or has weight 0 (--weights). " +
        "Fix: hold out a smaller fraction, or give positive weights to some observed values.",
    );
  }
  return {
    data: tensor(data, [m, n]),
    ...(plain ? {} : { train: tensor(train, [m, n]) }),
    ...(holdout !== undefined ? { validation: tensor(validation, [m, n]), holdout } : {}),
    observations: n * (m - 1),
    missing,
    heldOut,
  };
}

/** Σ w ∘ (prediction − data)², or Σ (prediction − data)² without weights; differentiable. */
export function fitLoss(prediction: Tensor, data: Tensor, weights?: Tensor): Tensor {
  const r2 = square(sub(prediction, data));
  return sum(weights === undefined ? r2 : mul(weights, r2));
}

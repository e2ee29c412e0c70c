/**
 * Learning-rate schedules: functions of the update count t = 1, 2, … returning η_t. Pass one as
 * an optimiser's `eta`. Formulas as in PyTorch's torch.optim.lr_scheduler (StepLR, ExponentialLR,
 * CosineAnnealingLR) and Loshchilov & Hutter, "SGDR: stochastic gradient descent with warm
 * restarts", ICLR 2017, eq. 5 (one cosine period, no restart).
 */
import { OptimiserError } from "../errors.js";

/** η as a function of the update count t (1 for the first update). */
export type Schedule = (t: number) => number;

function check(name: string, field: string, value: number, ok: boolean, hint: string): void {
  if (!ok) throw new OptimiserError(`${name}: ${field} = ${value} is invalid. Fix: ${hint}.`);
}

/** η_t = eta · gamma^⌊(t − 1)/stepSize⌋ (StepLR): multiply by gamma every stepSize updates. */
export function stepDecay(options: { eta: number; stepSize: number; gamma?: number }): Schedule {
  const { eta, stepSize, gamma = 0.1 } = options;
  check("stepDecay", "eta", eta, eta > 0 && Number.isFinite(eta), "pass a positive learning rate");
  check(
    "stepDecay",
    "stepSize",
    stepSize,
    Number.isInteger(stepSize) && stepSize >= 1,
    "pass an integer ≥ 1",
  );
  check("stepDecay", "gamma", gamma, gamma > 0 && gamma <= 1, "pass a factor in (0, 1]");
  return (t) => eta * gamma ** Math.floor((t - 1) / stepSize);
}

/** η_t = eta · gamma^(t − 1) (ExponentialLR). */
export function exponentialDecay(options: { eta: number; gamma: number }): Schedule {
  const { eta, gamma } = options;
  check("exponentialDecay", "eta", eta, eta > 0 && Number.isFinite(eta), "pass a positive learning rate");
  check("exponentialDecay", "gamma", gamma, gamma > 0 && gamma <= 1, "pass a factor in (0, 1]");
  return (t) => eta * gamma ** (t - 1);
}

/**
 * η_t = etaMin + (eta − etaMin)·(1 + cos(π·τ/period))/2 with τ = min(t − 1, period)
 * (CosineAnnealingLR / SGDR without restarts): from eta at t = 1 down to etaMin at t = period + 1,
 * then constant.
 */
export function cosineDecay(options: { eta: number; period: number; etaMin?: number }): Schedule {
  const { eta, period, etaMin = 0 } = options;
  check("cosineDecay", "eta", eta, eta > 0 && Number.isFinite(eta), "pass a positive learning rate");
  check("cosineDecay", "period", period, Number.isInteger(period) && period >= 1, "pass an integer ≥ 1");
  check("cosineDecay", "etaMin", etaMin, etaMin >= 0 && etaMin <= eta, "pass 0 ≤ etaMin ≤ eta");
  return (t) => etaMin + ((eta - etaMin) * (1 + Math.cos((Math.PI * Math.min(t - 1, period)) / period))) / 2;
}

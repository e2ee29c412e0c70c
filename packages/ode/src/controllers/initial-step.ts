/**
 * Hairer's initial step-size guess (Hairer–Nørsett–Wanner I, §II.4, "Starting Step Size",
 * algorithm (a)–(f); the HINIT routine of DOPRI5): one extra right-hand-side evaluation.
 */
import { weightedRms } from "./error-norm.js";

export interface InitialStepInput {
  f: (du: Float64Array, u: Float64Array, p: Float64Array, t: number) => void;
  p: Float64Array;
  t0: number;
  y0: Float64Array;
  /** f(t0, y0). */
  f0: Float64Array;
  /** +1 forward, −1 backward. */
  direction: number;
  /** Order of the error estimator (the step scales like h^(order+1)). */
  order: number;
  abstol: Float64Array;
  reltol: number;
  dtmax: number;
  /** Scratch buffers of length n. */
  y1: Float64Array;
  f1: Float64Array;
}

/** Returns a signed first step; counts as one f evaluation. */
export function initialStep(x: InitialStepInput): number {
  const { y0, f0, y1, f1, abstol, reltol } = x;
  const n = y0.length;
  const d0 = weightedRms(y0, y0, abstol, reltol);
  const d1 = weightedRms(f0, y0, abstol, reltol);
  let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  h0 = Math.min(h0, x.dtmax);
  for (let i = 0; i < n; i++) y1[i] = y0[i] + x.direction * h0 * f0[i];
  x.f(f1, y1, x.p, x.t0 + x.direction * h0);
  for (let i = 0; i < n; i++) f1[i] -= f0[i];
  const d2 = weightedRms(f1, y0, abstol, reltol) / h0;
  const dmax = Math.max(d1, d2);
  const h1 = dmax <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / dmax) ** (1 / (x.order + 1));
  const h = Math.min(100 * h0, h1, x.dtmax);
  return Number.isFinite(h) && h > 0 ? x.direction * h : x.direction * 1e-6 * Math.min(1, x.dtmax);
}

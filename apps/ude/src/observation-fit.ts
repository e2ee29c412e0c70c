/**
 * Predictions next to observations, the data of the diagnostic plots (parity, residuals, the
 * per-node fit): one row per node, one column per observation time, in the input CSV's layout.
 * Column 0 holds the initial condition u(t₀), which the solve starts from: it is given, not
 * fitted, so the plots leave it out of the residuals and draw it as a condition. Observations held
 * out for validation (--holdout) are drawn apart from the fitted ones.
 */

export interface ObservationFit {
  /** Observation times, increasing; times[0] = t₀. */
  times: readonly number[];
  /** n rows × m columns; a non-finite value means "not observed". */
  observed: readonly (readonly number[])[];
  /** n rows × m columns of predicted states at the observation times. */
  predicted: readonly (readonly number[])[];
  /** Observations left out of the training loss (holdout.ts): whole nodes or time columns (0-based). */
  heldOut?: { nodes?: readonly number[]; columns?: readonly number[] };
}

/** True when node i's observation in column k is held out for validation. */
export function isHeldOut(fit: ObservationFit, i: number, k: number): boolean {
  const h = fit.heldOut;
  return h !== undefined && k > 0 && ((h.nodes?.includes(i) ?? false) || (h.columns?.includes(k) ?? false));
}

/** The times of node i's held-out observations (after t₀), for fit.svg. */
export function heldOutTimes(
  heldOut: { nodes?: readonly number[]; columns?: readonly number[] },
  i: number,
  times: readonly number[],
): number[] {
  const fit = { times, observed: [], predicted: [], heldOut };
  return times.filter((_, k) => isHeldOut(fit, i, k));
}

/** One observation after t₀: node (1-based), time, observed and predicted values, held out or fitted. */
export interface FitPoint {
  node: number;
  t: number;
  observed: number;
  predicted: number;
  heldOut: boolean;
}

/**
 * Every observation after t₀ whose observed and predicted values are finite, node by node,
 * marked held out or not.
 */
export function fitPoints(fit: ObservationFit): FitPoint[] {
  const out: FitPoint[] = [];
  fit.observed.forEach((row, i) => {
    for (let k = 1; k < fit.times.length; k++) {
      const observed = row[k];
      const predicted = fit.predicted[i][k];
      if (Number.isFinite(observed) && Number.isFinite(predicted)) {
        out.push({ node: i + 1, t: fit.times[k], observed, predicted, heldOut: isHeldOut(fit, i, k) });
      }
    }
  });
  return out;
}

/** Every k-th element so that at most `max` remain (evenly spread; the first is kept). */
export function thin<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const stride = Math.ceil(xs.length / max);
  return xs.filter((_, k) => k % stride === 0);
}

/** A number for a title or subtitle: 3 significant digits, exponent form when tiny or huge. */
export function short(x: number): string {
  const a = Math.abs(x);
  if (x === 0 || (a >= 1e-3 && a < 1e5)) return String(Number(x.toPrecision(3)));
  return x.toExponential(2).replace("e+", "e");
}

/** Root mean square of predicted − observed over `points` (NaN for none). */
export function rmse(points: readonly FitPoint[]): number {
  let s = 0;
  for (const p of points) s += (p.predicted - p.observed) ** 2;
  return Math.sqrt(s / points.length);
}

/** Legend names of fitted and held-out observations. */
export const FITTED_KIND = "fitted";
export const HELD_OUT_KIND = "held out (validation)";

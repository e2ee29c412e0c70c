/**
 * The scaled error norm of step control (Hairer–Nørsett–Wanner I, §II.4, eq. (4.11)):
 * RMS over components of errᵢ / (abstolᵢ + reltol·max(|y₀ᵢ|, |y₁ᵢ|)). A step is accepted
 * when the norm is ≤ 1. Returns NaN when any entry is non-finite.
 */
export function scaledErrorNorm(
  err: Float64Array,
  y0: Float64Array,
  y1: Float64Array,
  abstol: Float64Array,
  reltol: number,
): number {
  const n = err.length;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const sc = abstol[i] + reltol * Math.max(Math.abs(y0[i]), Math.abs(y1[i]));
    const r = err[i] / sc;
    acc += r * r;
  }
  const norm = Math.sqrt(acc / n);
  return Number.isFinite(norm) ? norm : Number.NaN;
}

/** RMS of xᵢ / (abstolᵢ + reltol·|yᵢ|): the norm used by the initial step guess. */
export function weightedRms(x: Float64Array, y: Float64Array, abstol: Float64Array, reltol: number): number {
  const n = x.length;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const r = x[i] / (abstol[i] + reltol * Math.abs(y[i]));
    acc += r * r;
  }
  return Math.sqrt(acc / n);
}

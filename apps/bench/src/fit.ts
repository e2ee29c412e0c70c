/**
 * Power-law fits y ≈ c·xᵏ by ordinary least squares on (log x, log y): the exponents BENCHMARKS.md
 * reports for the scaling of gradient time with n.
 */

export interface PowerLaw {
  exponent: number;
  coefficient: number;
  /** Coefficient of determination of the log-log fit. */
  r2: number;
}

export function powerLawFit(xs: readonly number[], ys: readonly number[]): PowerLaw {
  if (xs.length !== ys.length || xs.length < 2) {
    throw new Error(
      `powerLawFit: need two or more (x, y) pairs of equal length; got ${xs.length} and ${ys.length}.`,
    );
  }
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const m = lx.length;
  const mx = lx.reduce((a, b) => a + b, 0) / m;
  const my = ly.reduce((a, b) => a + b, 0) / m;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < m; i++) {
    sxx += (lx[i] - mx) ** 2;
    sxy += (lx[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) ** 2;
  }
  const exponent = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { exponent, coefficient: Math.exp(my - exponent * mx), r2 };
}

/**
 * Constants of the diagonal Padé approximants r_m(x) = p_m(x)/p_m(−x) to e^x used by the
 * scaling and squaring algorithms of this package.
 *
 * - `padeCoefficients(m)`: b_j = (2m − j)!·m! / ((2m)!·j!·(m − j)!) scaled so that b_m = 1
 *   (Higham 2005, eq. (2.3) and Algorithm 2.3; the scaled integers are those of Table 10.4 of
 *   Higham, "Functions of Matrices", SIAM 2008).
 * - `THETA`: θ_m for m = 3, 5, 7, 9 (Higham 2005, Table 2.3) and θ₁₃ = 4.25, the degree-13
 *   bound of Al-Mohy & Higham (2009, "A new scaling and squaring algorithm for the matrix
 *   exponential", Algorithm 6.1 / Table 3.1) used with their α_p-based scaling choice.
 * - `padeErrorCoefficient(m)`: |c_{2m+1}| = (m!)² / ((2m)!·(2m+1)!), the leading coefficient of
 *   e^{−x}·r_m(x) − 1, used in ℓ(A, m) (Al-Mohy & Higham 2009, eq. (5.3)).
 * - `FRECHET_ELL`: ℓ_m of Al-Mohy & Higham (2009, "Computing the Fréchet derivative of the
 *   matrix exponential", Table 6.1) for m = 3, 5, 7, 9, 13.
 */

/** Padé degrees used by `expm` and `expmFrechet`, in increasing order. */
export const PADE_DEGREES = [3, 5, 7, 9, 13] as const;
export type PadeDegree = (typeof PADE_DEGREES)[number];

/** θ_m: ‖2^{−s}A‖ (or α_p) below θ_m gives backward error ≤ u = 2⁻⁵³ for degree m. */
export const THETA: Readonly<Record<PadeDegree, number>> = {
  3: 1.495585217958292e-2,
  5: 2.53939833006323e-1,
  7: 9.504178996162932e-1,
  9: 2.097847961257068,
  13: 4.25,
};

/** ℓ_m: ‖2^{−s}A‖₁ below ℓ_m gives a Fréchet derivative with backward error ≤ u (Table 6.1). */
export const FRECHET_ELL: Readonly<Record<PadeDegree, number>> = {
  3: 1.08e-2,
  5: 2.0e-1,
  7: 7.83e-1,
  9: 1.78,
  13: 4.74,
};

function factorial(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return f;
}

/** Coefficients b_0…b_m of p_m(x) = Σ b_j x^j, scaled to b_m = 1 (the integers of the literature). */
export function padeCoefficients(m: number): Float64Array {
  const b = new Float64Array(m + 1);
  // Exact ratios b_j / b_{j+1} = (j + 1)(2m − j) / (m − j) avoid overflowing factorials.
  b[m] = 1;
  for (let j = m - 1; j >= 0; j--) b[j] = (b[j + 1] * (j + 1) * (2 * m - j)) / (m - j);
  return b;
}

/** |c_{2m+1}| = (m!)² / ((2m)!·(2m+1)!). */
export function padeErrorCoefficient(m: number): number {
  return (factorial(m) * factorial(m)) / (factorial(2 * m) * factorial(2 * m + 1));
}

export const PADE_B: Readonly<Record<PadeDegree, Float64Array>> = {
  3: padeCoefficients(3),
  5: padeCoefficients(5),
  7: padeCoefficients(7),
  9: padeCoefficients(9),
  13: padeCoefficients(13),
};

/**
 * The most squarings `expm` and `expmFrechet` perform: each can double the relative rounding
 * error (Higham 2008, §10.3), and 2⁵³·u = 1 leaves no correct digit guaranteed.
 */
export const MAX_SQUARINGS = 53;

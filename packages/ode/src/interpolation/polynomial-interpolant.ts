/**
 * Dense output as polynomial weights: y(t₀ + θh) = y₀ + σ Σᵢ wᵢ(θ) Kᵢ with
 * wᵢ(θ) = Σ_{d=1..degree} coeffs[i·degree + d − 1] θᵈ, where the Kᵢ are a method's stage
 * vectors (σ = h for Runge–Kutta stages kᵢ = f(…); σ = 1 for Rosenbrock stages uᵢ, which
 * already carry h). Every interpolant in udekit — Dormand–Prince's and Tsitouras' free
 * interpolants, Verner's, cubic Hermite, the Rosenbrock ones — is data of this shape, so a
 * single allocation-free evaluator serves them all (Hairer–Nørsett–Wanner I, §II.6).
 */

export interface PolynomialInterpolant {
  /** Human-readable name for tables ("free 4th-order (Shampine 1986)", "cubic Hermite", …). */
  readonly name: string;
  /** Order q of the dense output: local interpolation error O(h^(q+1)). */
  readonly order: number;
  readonly degree: number;
  /** Number of stage vectors it combines. */
  readonly stages: number;
  /** stages × degree, row-major. */
  readonly coeffs: Float64Array;
}

/** Builds an interpolant from per-stage coefficient rows (row i: coefficients of θ¹ … θ^degree). */
export function polynomialInterpolant(
  name: string,
  order: number,
  rows: readonly (readonly number[])[],
): PolynomialInterpolant {
  const degree = Math.max(...rows.map((r) => r.length));
  const coeffs = new Float64Array(rows.length * degree);
  rows.forEach((r, i) => {
    r.forEach((v, d) => {
      coeffs[i * degree + d] = v;
    });
  });
  return { name, order, degree, stages: rows.length, coeffs };
}

/** Writes wᵢ(θ) for every stage into w (length ≥ stages). Allocation-free. */
export function interpolationWeights(interp: PolynomialInterpolant, theta: number, w: Float64Array): void {
  const { degree, coeffs, stages } = interp;
  for (let i = 0; i < stages; i++) {
    let acc = 0;
    // Horner in θ: Σ_d c_d θ^(d+1) = θ·(c₀ + θ·(c₁ + …)).
    for (let d = degree - 1; d >= 0; d--) acc = acc * theta + coeffs[i * degree + d];
    w[i] = acc * theta;
  }
}

/** True when stage i enters the dense output (its weight polynomial is not identically zero). */
export function isStageUsed(interp: PolynomialInterpolant, i: number): boolean {
  if (i >= interp.stages) return false;
  for (let d = 0; d < interp.degree; d++) if (interp.coeffs[i * interp.degree + d] !== 0) return true;
  return false;
}

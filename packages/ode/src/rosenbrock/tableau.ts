/**
 * Rosenbrock tableaus in the transformed form of Hairer–Wanner II, §IV.7, eqs. (7.17)–(7.19):
 *   (I/(hγ) − J) uᵢ = f(t + cᵢh, y + Σⱼ aᵢⱼuⱼ) + Σⱼ (Cᵢⱼ/h) uⱼ + dᵢ h ∂f/∂t,
 *   y₁ = y + Σ mⱼuⱼ,   error estimate Σ mErrⱼuⱼ,
 * which needs one LU factorisation of W = I/(hγ) − J per step and no matrix–vector products.
 * The classical form (I − γhJ)Kᵢ = h f(t + cᵢh, y + Σ αᵢⱼKⱼ) + hJ Σ γᵢⱼKⱼ + dᵢh²∂f/∂t maps
 * to it through Γ = (γᵢⱼ) (γᵢᵢ = γ): a = αΓ⁻¹, C = diag(1/γ) − Γ⁻¹, m = bΓ⁻¹ (uᵢ = Σ γᵢⱼKⱼ).
 * Validation converts back and checks Σⱼ αᵢⱼ = cᵢ, dᵢ = Σⱼ γᵢⱼ and Σ b = 1; the order
 * conditions up to order 3 (HW II Table 7.1) are available as rosenbrockOrder().
 */
import { InvalidTableauError } from "../errors.js";

export interface RosenbrockTableau {
  readonly stages: number;
  readonly gamma: number;
  /** Transformed stage coefficients a (s×s row-major, strictly lower). */
  readonly a: Float64Array;
  /** Transformed C (s×s row-major, strictly lower). */
  readonly C: Float64Array;
  /** Stage nodes. */
  readonly c: Float64Array;
  /** Time-derivative coefficients dᵢ = Σⱼ γᵢⱼ. */
  readonly d: Float64Array;
  /** Solution weights on the transformed stages. */
  readonly m: Float64Array;
  /** Error weights on the transformed stages. */
  readonly mErr: Float64Array;
  /** True when the last stage is evaluated at (t + h, y₁) (then f there is the next f₀). */
  readonly fsal: boolean;
}

function fail(msg: string): never {
  throw new InvalidTableauError(`@udekit/ode: invalid Rosenbrock tableau: ${msg}`);
}

function lowerRows(rows: readonly (readonly number[])[], s: number, what: string): Float64Array {
  const M = new Float64Array(s * s);
  if (rows.length !== s) fail(`${what} must have ${s} rows; got ${rows.length}.`);
  rows.forEach((r, i) => {
    if (r.length > i) fail(`row ${i + 1} of ${what} must have at most ${i} entries (strictly lower).`);
    r.forEach((v, j) => {
      M[i * s + j] = v;
    });
  });
  return M;
}

/** Inverse of a lower-triangular s×s matrix (small; construction time only). */
function invertLower(L: Float64Array, s: number): Float64Array {
  const X = new Float64Array(s * s);
  for (let col = 0; col < s; col++) {
    for (let i = col; i < s; i++) {
      let acc = i === col ? 1 : 0;
      for (let k = col; k < i; k++) acc -= L[i * s + k] * X[k * s + col];
      X[i * s + col] = acc / L[i * s + i];
    }
  }
  return X;
}

/** Row vector v (length s) times M (s×s), or matrix rows. */
function mulRows(A: Float64Array, M: Float64Array, rows: number, s: number): Float64Array {
  const out = new Float64Array(rows * s);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < s; j++) {
      let acc = 0;
      for (let k = 0; k < s; k++) acc += A[i * s + k] * M[k * s + j];
      out[i * s + j] = acc;
    }
  return out;
}

export interface TransformedSpec {
  gamma: number;
  /** Rows of a (row i: aᵢ₁ … aᵢ,ᵢ₋₁; the first row empty). */
  a: readonly (readonly number[])[];
  C: readonly (readonly number[])[];
  c: readonly number[];
  d: readonly number[];
  m: readonly number[];
  mErr: readonly number[];
  tol?: number;
}

/** Builds a tableau given in the transformed form (as Hairer's RODAS code tabulates it). */
export function rosenbrockTableau(spec: TransformedSpec): RosenbrockTableau {
  const s = spec.c.length;
  const tol = spec.tol ?? 1e-10;
  if (!(spec.gamma > 0)) fail(`γ must be positive; got ${spec.gamma}.`);
  for (const [name, v] of [
    ["d", spec.d],
    ["m", spec.m],
    ["mErr", spec.mErr],
  ] as const) {
    if (v.length !== s) fail(`${name} must have ${s} entries; got ${v.length}.`);
  }
  const a = lowerRows(spec.a, s, "a");
  const C = lowerRows(spec.C, s, "C");
  const tab: RosenbrockTableau = {
    stages: s,
    gamma: spec.gamma,
    a,
    C,
    c: Float64Array.from(spec.c),
    d: Float64Array.from(spec.d),
    m: Float64Array.from(spec.m),
    mErr: Float64Array.from(spec.mErr),
    fsal:
      spec.c[s - 1] === 1 &&
      spec.m.every((v, j) => Math.abs(v - (j < s - 1 ? a[(s - 1) * s + j] : 0)) <= tol),
  };
  // Back to the classical form for the consistency checks.
  const { alpha, Gamma, b } = toClassical(tab);
  for (let i = 0; i < s; i++) {
    let rowAlpha = 0;
    let rowGamma = 0;
    for (let j = 0; j < s; j++) {
      rowAlpha += alpha[i * s + j];
      rowGamma += Gamma[i * s + j];
    }
    if (Math.abs(rowAlpha - tab.c[i]) > tol * (1 + Math.abs(rowAlpha))) {
      fail(`row ${i + 1}: Σⱼ αᵢⱼ = ${rowAlpha} but c${i + 1} = ${tab.c[i]}.`);
    }
    if (Math.abs(rowGamma - tab.d[i]) > tol * (1 + Math.abs(rowGamma))) {
      fail(`row ${i + 1}: Σⱼ γᵢⱼ = ${rowGamma} but d${i + 1} = ${tab.d[i]}.`);
    }
  }
  const bSum = b.reduce((x, y) => x + y, 0);
  if (Math.abs(bSum - 1) > tol) fail(`Σ b = ${bSum} (classical weights), expected 1.`);
  return tab;
}

/** The classical coefficients (α, Γ with γᵢᵢ = γ, b) of a transformed tableau. */
export function toClassical(tab: RosenbrockTableau): {
  alpha: Float64Array;
  Gamma: Float64Array;
  b: number[];
} {
  const s = tab.stages;
  // Γ⁻¹ = diag(1/γ) − C, so Γ = (diag(1/γ) − C)⁻¹.
  const Ginv = new Float64Array(s * s);
  for (let i = 0; i < s; i++)
    for (let j = 0; j < s; j++) Ginv[i * s + j] = (i === j ? 1 / tab.gamma : 0) - tab.C[i * s + j];
  const Gamma = invertLower(Ginv, s);
  const alpha = mulRows(tab.a, Gamma, s, s);
  const b = Array.from(mulRows(tab.m, Gamma, 1, s));
  return { alpha, Gamma, b };
}

export interface ClassicalSpec {
  gamma: number;
  /** Rows of α (strictly lower). */
  alpha: readonly (readonly number[])[];
  /** Rows of the strictly lower part of Γ (the diagonal is γ). */
  Gamma: readonly (readonly number[])[];
  c: readonly number[];
  b: readonly number[];
  /** Error weights on the classical stages Kᵢ. */
  bErr: readonly number[];
}

/** Converts a classical-form method to the transformed form (HW II, (7.17)–(7.19)). */
export function fromClassical(spec: ClassicalSpec): { tableau: RosenbrockTableau; Ginv: Float64Array } {
  const s = spec.c.length;
  const G = lowerRows(spec.Gamma, s, "Γ");
  for (let i = 0; i < s; i++) G[i * s + i] = spec.gamma;
  const Ginv = invertLower(G, s);
  const a = mulRows(lowerRows(spec.alpha, s, "α"), Ginv, s, s);
  const m = mulRows(Float64Array.from(spec.b), Ginv, 1, s);
  const mErr = mulRows(Float64Array.from(spec.bErr), Ginv, 1, s);
  const rows = (M: Float64Array) =>
    Array.from({ length: s }, (_, i) => Array.from(M.subarray(i * s, i * s + i)));
  const C = new Float64Array(s * s);
  for (let i = 0; i < s; i++) for (let j = 0; j < i; j++) C[i * s + j] = -Ginv[i * s + j];
  const d = Array.from({ length: s }, (_, i) => {
    let acc = 0;
    for (let j = 0; j <= i; j++) acc += G[i * s + j];
    return acc;
  });
  const tableau = rosenbrockTableau({
    gamma: spec.gamma,
    a: rows(a),
    C: rows(C),
    c: spec.c,
    d,
    m: Array.from(m),
    mErr: Array.from(mErr),
  });
  return { tableau, Ginv };
}

/**
 * The largest order p ≤ 3 whose Rosenbrock order conditions hold (HW II, Table 7.1, with
 * βᵢⱼ = αᵢⱼ + γᵢⱼ and β'ᵢ = Σⱼ<ᵢ βᵢⱼ): Σbᵢ = 1; Σbᵢβ'ᵢ = 1/2 − γ;
 * Σbᵢαᵢ² = 1/3 and Σbᵢβᵢₖβ'ₖ = 1/6 − γ + γ².
 */
export function rosenbrockOrder(tab: RosenbrockTableau, weights?: ArrayLike<number>, tol = 1e-10): number {
  const s = tab.stages;
  const { alpha, Gamma, b: bSol } = toClassical(tab);
  const b = weights ?? bSol;
  const g = tab.gamma;
  const alphaSum = new Float64Array(s);
  const betaPrime = new Float64Array(s);
  for (let i = 0; i < s; i++)
    for (let j = 0; j < i; j++) {
      alphaSum[i] += alpha[i * s + j];
      betaPrime[i] += alpha[i * s + j] + Gamma[i * s + j];
    }
  const dot = (f: (i: number) => number) => {
    let acc = 0;
    for (let i = 0; i < s; i++) acc += b[i] * f(i);
    return acc;
  };
  if (Math.abs(dot(() => 1) - 1) > tol) return 0;
  if (Math.abs(dot((i) => betaPrime[i]) - (0.5 - g)) > tol) return 1;
  const third = dot((i) => alphaSum[i] * alphaSum[i]);
  const fourth = dot((i) => {
    let acc = 0;
    for (let k = 0; k < i; k++) acc += (alpha[i * s + k] + Gamma[i * s + k]) * betaPrime[k];
    return acc;
  });
  if (Math.abs(third - 1 / 3) > tol || Math.abs(fourth - (1 / 6 - g + g * g)) > tol) return 2;
  return 3;
}

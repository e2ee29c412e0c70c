/**
 * The action exp(tA)·v of the matrix exponential without forming exp(tA), by the truncated
 * Taylor method of Al-Mohy & Higham (2011), Algorithm 3.2: A is shifted by μ = tr(A)/n, the
 * interval is split into s steps, each a Taylor polynomial of degree ≤ m* stopped early once
 * two consecutive terms are negligible (‖T_{j−1}‖∞ + ‖T_j‖∞ ≤ tol·‖F‖∞). The pair (m*, s)
 * minimises the number of products m·s subject to the backward-error bound θ_m (Table 3.1,
 * u = 2⁻⁵³): from ‖tA‖₁ when it is small (their condition (3.13)), otherwise from
 * α_p(tA) = max(d_p, d_{p+1}), d_p = ‖A^p‖₁^{1/p} estimated by `normest1` (Code Fragment 3.1,
 * p_max = 8, m_max = 55).
 *
 * Several output times (Section 5, Algorithm 5.2): the solution is advanced from one time to
 * the next, exp(t_{k}A)v = exp((t_k − t_{k−1})A)·exp(t_{k−1}A)v, and the d_p estimates (which
 * scale as α_p(hA) = |h|·α_p(A)) are computed once for all steps.
 *
 * Cost: m*·s matrix–vector products per step plus, when ‖tA‖₁ is large, the norm estimates
 * (a few dozen products of A with n×2 blocks, once per matrix).
 *
 * Reference: A. H. Al-Mohy, N. J. Higham, "Computing the action of the matrix exponential,
 * with an application to exponential integrators", SIAM J. Sci. Comput. 33(2), 488–511, 2011.
 */
import { matvec } from "@udekit/kernels";
import { checkNoOverflow } from "./errors.js";
import { expmInto } from "./expm.js";
import { norm1, normest1, normInf } from "./norms.js";
import { THETA } from "./pade.js";
import type { ExpmWorkspace } from "./workspace.js";

/** θ_m for the truncated Taylor series, u = 2⁻⁵³ (Al-Mohy & Higham 2011, Table 3.1 / A.3). */
const THETA_TAYLOR: readonly (readonly [number, number])[] = [
  [1, 2.29e-16],
  [2, 2.58e-8],
  [3, 1.39e-5],
  [4, 3.4e-4],
  [5, 2.4e-3],
  [6, 9.07e-3],
  [7, 2.38e-2],
  [8, 5.0e-2],
  [9, 8.96e-2],
  [10, 1.44e-1],
  [11, 2.14e-1],
  [12, 3.0e-1],
  [13, 4.0e-1],
  [14, 5.14e-1],
  [15, 6.41e-1],
  [16, 7.81e-1],
  [17, 9.31e-1],
  [18, 1.09],
  [19, 1.26],
  [20, 1.44],
  [21, 1.62],
  [22, 1.82],
  [23, 2.01],
  [24, 2.22],
  [25, 2.43],
  [26, 2.64],
  [27, 2.86],
  [28, 3.08],
  [29, 3.31],
  [30, 3.54],
  [35, 4.7],
  [40, 6.0],
  [45, 7.2],
  [50, 8.5],
  [55, 9.9],
];
const M_MAX = 55;
const P_MAX = 8;
/** Number of columns of the norm estimator (ℓ = 2 in the paper). */
const ELL = 2;
/**
 * A step whose Taylor route needs more than this many matrix–vector products, and more than
 * forming exp(hA) would cost, forms exp(hA) instead (see `expmvStep`). Below it the paper's
 * algorithm runs unchanged (‖hA‖₁ up to about 1800).
 */
const DENSE_MIN_PRODUCTS = 10_000;
/** Condition (3.13) with n₀ = 1 column: below this ‖tA‖₁ the cheap choice is as good. */
const COND_3_13 = (2 * ELL * P_MAX * (P_MAX + 3) * 9.9) / M_MAX;

/** Options of `expmv`. */
export interface ExpmvOptions {
  /** Relative tolerance of the truncation (default u = 2⁻⁵³, the paper's double-precision choice). */
  tol?: number;
}

/** Per-matrix data shared by all steps: the shift, the shifted norm and the d_p cache. */
export interface ExpmvPrepared {
  mu: number;
  norm: number;
}

/**
 * μ = tr(A)/n, ‖A − μI‖₁, and the shifted copy for the estimates; resets the d_p cache of ws.
 * Valid for `expmvStep` calls on this A until the next `prepareExpmv` on the same workspace.
 */
export function prepareExpmv(n: number, A: Float64Array, ws: ExpmWorkspace): ExpmvPrepared {
  const eb = ws.expmv();
  let tr = 0;
  for (let i = 0; i < n; i++) tr += A[i * n + i];
  const mu = tr / n;
  const S = eb.shifted;
  const nn = n * n;
  for (let i = 0; i < nn; i++) S[i] = A[i];
  for (let i = 0; i < n; i++) S[i * n + i] -= mu;
  eb.d.fill(Number.NaN);
  return { mu, norm: norm1(n, S, ws.vecA) };
}

/** d_p = ‖(A − μI)^p‖₁^{1/p}, estimated once per matrix and cached. */
function dp(n: number, p: number, ws: ExpmWorkspace): number {
  const eb = ws.expmv();
  if (Number.isNaN(eb.d[p])) {
    const mats: Float64Array[] = [];
    for (let k = 0; k < p; k++) mats.push(eb.shifted);
    eb.d[p] = normest1(n, mats, ws.normest) ** (1 / p);
  }
  return eb.d[p];
}

/** The (m*, s) chosen by `parameters` (module scalars, so a step allocates nothing). */
let chosenM = 0;
let chosenS = 1;

/** Sets chosenM, chosenS for the step h (Code Fragment 3.1); m* = 0 when hA = 0. */
function parameters(n: number, h: number, prep: ExpmvPrepared, ws: ExpmWorkspace): void {
  const hNorm = Math.abs(h) * prep.norm;
  chosenM = 0;
  chosenS = 1;
  if (hNorm === 0) return;
  let bestM = 0;
  let bestS = 0;
  if (hNorm <= COND_3_13) {
    for (const [m, theta] of THETA_TAYLOR) {
      const s = Math.ceil(hNorm / theta);
      if (bestM === 0 || m * s < bestM * bestS) {
        bestM = m;
        bestS = s;
      }
    }
    chosenM = bestM;
    chosenS = bestS;
    return;
  }
  for (let p = 2; p <= P_MAX; p++) {
    const alpha = Math.abs(h) * Math.max(dp(n, p, ws), dp(n, p + 1, ws));
    for (const [m, theta] of THETA_TAYLOR) {
      if (m < p * (p - 1) - 1) continue;
      const s = Math.ceil(alpha / theta);
      if (bestM === 0 || m * s < bestM * bestS) {
        bestM = m;
        bestS = s;
      }
    }
  }
  chosenM = bestM;
  chosenS = Math.max(bestS, 1);
}

/**
 * Matrix–vector products that forming exp(hA) and applying it costs: (π₁₃ + s) n×n products
 * (π₁₃ = 6, s ≈ log₂(‖hA‖₁/θ₁₃) squarings), one LU and n triangular solve pairs (≈ 3 more
 * products), each n×n product counted as n matrix–vector products.
 */
function denseCost(n: number, hNorm: number): number {
  return n * (9 + Math.max(0, Math.ceil(Math.log2(hNorm / THETA[13])))) + 1;
}

/**
 * F = exp(hA)·F in place (Algorithm 3.2 core); uses ws.expmv().b / tmp. Returns the matvec count.
 *
 * The Taylor route costs m*·s products with s growing linearly in |h|·‖A‖ (a step of h = 1e5 on
 * the seed's 100×100 model needs ~3·10⁷ products, minutes); scaling and squaring grows only
 * with log₂(|h|·‖A‖). So a step whose Taylor cost exceeds both DENSE_MIN_PRODUCTS and the cost
 * of forming exp(hA) (`expmInto`, which throws `ExpmTooLargeError` past 53 squarings) is taken
 * as exp(hA)·F: the work is bounded for any finite h.
 */
export function expmvStep(
  n: number,
  h: number,
  A: Float64Array,
  F: Float64Array,
  prep: ExpmvPrepared,
  tol: number,
  ws: ExpmWorkspace,
): number {
  parameters(n, h, prep, ws);
  const m = chosenM;
  const s = chosenS;
  const taylorCost = m * s;
  if (taylorCost > DENSE_MIN_PRODUCTS) {
    const hNorm = Math.abs(h) * norm1(n, A, ws.vecA);
    if (taylorCost > denseCost(n, hNorm)) return denseStep(n, h, A, F, ws);
  }
  const { b, tmp } = ws.expmv();
  const mu = prep.mu;
  const eta = Math.exp((h * mu) / s);
  for (let i = 0; i < n; i++) b[i] = F[i];
  let products = 0;
  for (let k = 0; k < s; k++) {
    let c1 = normInf(n, b);
    for (let j = 1; j <= m; j++) {
      matvec(n, n, A, b, tmp, false);
      products++;
      const c = h / (s * j);
      let c2 = 0;
      let fNorm = 0;
      for (let i = 0; i < n; i++) {
        const bi = c * (tmp[i] - mu * b[i]);
        b[i] = bi;
        F[i] += bi;
        const a = Math.abs(bi);
        if (a > c2) c2 = a;
        const f = Math.abs(F[i]);
        if (f > fNorm) fNorm = f;
      }
      if (c1 + c2 <= tol * fNorm) break;
      c1 = c2;
    }
    for (let i = 0; i < n; i++) {
      F[i] *= eta;
      b[i] = F[i];
    }
  }
  checkNoOverflow("expmv", F, n);
  return products;
}

/** F = exp(hA)·F by forming exp(hA) (`expmInto`); returns the matrix–vector product count. */
function denseStep(n: number, h: number, A: Float64Array, F: Float64Array, ws: ExpmWorkspace): number {
  const eb = ws.expmv();
  const nn = n * n;
  const hA = (eb.hA ??= new Float64Array(nn));
  const E = (eb.E ??= new Float64Array(nn));
  const tmp = eb.tmp;
  for (let i = 0; i < nn; i++) hA[i] = h * A[i];
  expmInto(n, hA, E, ws);
  matvec(n, n, E, F, tmp, false);
  for (let i = 0; i < n; i++) F[i] = tmp[i];
  return denseCost(n, Math.abs(h) * norm1(n, A, ws.vecA));
}

/**
 * Writes exp(tA)·v into out (n entries; may alias v). A is n×n row-major.
 * Allocation-free given a workspace for this n.
 */
export function expmvInto(
  n: number,
  t: number,
  A: Float64Array,
  v: Float64Array,
  out: Float64Array,
  ws: ExpmWorkspace,
  options: ExpmvOptions = {},
): void {
  const tol = options.tol ?? 2 ** -53;
  const prep = prepareExpmv(n, A, ws);
  for (let i = 0; i < n; i++) out[i] = v[i];
  expmvStep(n, t, A, out, prep, tol, ws);
}

/**
 * Writes exp((times[k] − t0)·A)·v into row k of out (times.length × n), stepping from each
 * time to the next (Algorithm 5.2's reuse of one set of norm estimates). `times` must be
 * increasing (validated by the public API). Returns the total number of matrix–vector products.
 */
export function expmvTimesInto(
  n: number,
  times: ArrayLike<number>,
  A: Float64Array,
  v: Float64Array,
  out: Float64Array,
  ws: ExpmWorkspace,
  t0 = 0,
  options: ExpmvOptions = {},
): number {
  const tol = options.tol ?? 2 ** -53;
  const prep = prepareExpmv(n, A, ws);
  const { f } = ws.expmv();
  for (let i = 0; i < n; i++) f[i] = v[i];
  let prev = t0;
  let products = 0;
  for (let k = 0; k < times.length; k++) {
    const h = times[k] - prev;
    if (h !== 0) products += expmvStep(n, h, A, f, prep, tol, ws);
    const row = k * n;
    for (let i = 0; i < n; i++) out[row + i] = f[i];
    prev = times[k];
  }
  return products;
}

/**
 * The matrix exponential exp(A) of a dense n×n matrix by scaling and squaring with Padé
 * approximants of degree 3, 5, 7, 9 or 13.
 *
 * Algorithm 6.1 of Al-Mohy & Higham (2009): the degree m and the number of squarings s are
 * chosen from d_k = ‖A^k‖₁^{1/k} (exact for formed powers, otherwise block 1-norm estimates)
 * through η values compared with θ_m (backward error ≤ u = 2⁻⁵³), and the ℓ(A, m) correction
 * of their eq. (5.3) guards against overscaling of non-normal matrices (it adds squarings only
 * when |c_{2m+1}|·‖|A|^{2m+1}‖₁/‖A‖₁ says the truncated series needs them). Padé evaluation
 * follows Higham (2005) (degree 13 with 6 products); r_m = q_m⁻¹p_m is obtained by one LU
 * factorisation with partial pivoting of q_m(A) = V − U and per-column solves — never an
 * explicit inverse.
 *
 * Preprocessing: the trace shift exp(A) = e^μ·exp(A − μI), μ = tr(A)/n (Higham 2005, §2;
 * Al-Mohy & Higham 2009, §6), is applied when it lowers ‖A‖₁ and cannot overflow. A shifted
 * ‖A‖₁ above θ₁₃·2⁵³ ≈ 3.8e16 throws `ExpmTooLargeError` (more than 53 squarings).
 *
 * Cost: (π_m + s) n×n products + one LU + n triangular solve pairs, π_m = 2, 3, 4, 5, 6.
 *
 * References:
 * - A. H. Al-Mohy, N. J. Higham, "A new scaling and squaring algorithm for the matrix
 *   exponential", SIAM J. Matrix Anal. Appl. 31(3), 970–989, 2009.
 * - N. J. Higham, "The scaling and squaring method for the matrix exponential revisited",
 *   SIAM J. Matrix Anal. Appl. 26(4), 1179–1193, 2005.
 */
import { luFactor, matmul } from "@udekit/kernels";
import { addIdentity, copyInto, luSolveColumns } from "./dense.js";
import { checkNoOverflow, ExpmTooLargeError, SingularPadeError } from "./errors.js";
import { log2NormAbsPower1, norm1, normest1 } from "./norms.js";
import { MAX_SQUARINGS, PADE_B, type PadeDegree, padeErrorCoefficient, THETA } from "./pade.js";
import type { ExpmWorkspace } from "./workspace.js";

/** What `expmInto` chose: Padé degree m, squarings s, trace shift μ (0 = none). */
export interface ExpmInfo {
  m: PadeDegree;
  s: number;
  mu: number;
}

const LOG2_U = -53;
/** ‖A‖₁ above which more than MAX_SQUARINGS squarings could be needed (s ≈ log₂(‖A‖₁/θ₁₃)). */
export const EXPM_NORM_LIMIT = THETA[13] * 2 ** MAX_SQUARINGS;
const C_ERR: Readonly<Record<PadeDegree, number>> = {
  3: padeErrorCoefficient(3),
  5: padeErrorCoefficient(5),
  7: padeErrorCoefficient(7),
  9: padeErrorCoefficient(9),
  13: padeErrorCoefficient(13),
};

/**
 * ℓ(A, m) = max(⌈log₂(α/u) / (2m)⌉, 0), α = |c_{2m+1}|·‖|A|^{2m+1}‖₁ / ‖A‖₁
 * (Al-Mohy & Higham 2009, eq. (5.3)): extra squarings needed because the backward error
 * bound from the η values may be pessimistic for a non-normal A.
 */
export function ell(n: number, A: Float64Array, m: PadeDegree, normA1: number, ws: ExpmWorkspace): number {
  if (normA1 === 0) return 0;
  const log2Abs = log2NormAbsPower1(n, A, 2 * m + 1, ws.absA, ws.vecA, ws.vecB);
  if (log2Abs === Number.NEGATIVE_INFINITY) return 0;
  const log2Alpha = Math.log2(C_ERR[m]) + log2Abs - Math.log2(normA1);
  const value = Math.ceil((log2Alpha - LOG2_U) / (2 * m));
  return Math.max(value, 0);
}

/** Chooses the trace shift μ for A (0 when it does not help or could overflow). */
export function traceShift(n: number, A: Float64Array, normA1: number, ws: ExpmWorkspace): number {
  let tr = 0;
  for (let i = 0; i < n; i++) tr += A[i * n + i];
  const mu = tr / n;
  if (mu === 0 || Math.abs(mu) > 500) return 0;
  for (let i = 0; i < n; i++) A[i * n + i] -= mu;
  const shifted = norm1(n, A, ws.vecA);
  // ‖exp(A − μI)‖ ≤ e^{‖A − μI‖₁} stays finite below 700; e^{±500} is representable.
  if (shifted < normA1 && shifted <= 700) return mu;
  for (let i = 0; i < n; i++) A[i * n + i] += mu;
  return 0;
}

/**
 * U and V of the degree-m Padé approximant: p_m(A) = V + U, q_m(A) = V − U, for m ≤ 9.
 * Uses ws.A2/A4/A6/A8 (already formed as needed) and writes ws.U, ws.V.
 */
function padeLow(n: number, m: 3 | 5 | 7 | 9, ws: ExpmWorkspace): void {
  const nn = n * n;
  const b = PADE_B[m];
  const { A, A2, A4, A6, A8, U, V, T1 } = ws;
  // T1 = Σ_{odd j} b_j A^{j−1}, V = Σ_{even j} b_j A^j.
  for (let i = 0; i < nn; i++) {
    let odd = b[3] * A2[i];
    let even = b[2] * A2[i];
    if (m >= 5) {
      odd += b[5] * A4[i];
      even += b[4] * A4[i];
    }
    if (m >= 7) {
      odd += b[7] * A6[i];
      even += b[6] * A6[i];
    }
    if (m >= 9) {
      odd += b[9] * A8[i];
      even += b[8] * A8[i];
    }
    T1[i] = odd;
    V[i] = even;
  }
  addIdentity(n, b[1], T1);
  addIdentity(n, b[0], V);
  matmul(n, n, n, A, T1, U, false);
}

/** U and V of the degree-13 approximant from scaled A, A2, A4, A6 (Higham 2005, eq. (2.4)). */
function pade13(n: number, ws: ExpmWorkspace): void {
  const nn = n * n;
  const b = PADE_B[13];
  const { A, A2, A4, A6, U, V, T1, T2 } = ws;
  for (let i = 0; i < nn; i++) T1[i] = b[13] * A6[i] + b[11] * A4[i] + b[9] * A2[i];
  matmul(n, n, n, A6, T1, T2, false);
  for (let i = 0; i < nn; i++) T2[i] += b[7] * A6[i] + b[5] * A4[i] + b[3] * A2[i];
  addIdentity(n, b[1], T2);
  matmul(n, n, n, A, T2, U, false);
  for (let i = 0; i < nn; i++) T1[i] = b[12] * A6[i] + b[10] * A4[i] + b[8] * A2[i];
  matmul(n, n, n, A6, T1, V, false);
  for (let i = 0; i < nn; i++) V[i] += b[6] * A6[i] + b[4] * A4[i] + b[2] * A2[i];
  addIdentity(n, b[0], V);
}

/** X = (V − U)⁻¹(V + U) by LU with partial pivoting of V − U; X may be any n×n buffer except U, V, Q. */
function solvePQ(n: number, ws: ExpmWorkspace, X: Float64Array): void {
  const nn = n * n;
  const { U, V, Q, piv, vecA } = ws;
  for (let i = 0; i < nn; i++) {
    Q[i] = V[i] - U[i];
    X[i] = V[i] + U[i];
  }
  if (luFactor(n, Q, piv) !== 0) throw new SingularPadeError();
  luSolveColumns(n, Q, piv, X, vecA);
}

/**
 * Writes exp(A) into X (n×n, row-major). A is not modified; X may alias A.
 * Allocation-free given a workspace `ws` for this n. Inputs are assumed finite and square
 * (the public `expm` validates them).
 */
export function expmInto(n: number, Ain: Float64Array, X: Float64Array, ws: ExpmWorkspace): ExpmInfo {
  const nn = n * n;
  if (n === 1) {
    X[0] = Math.exp(Ain[0]);
    checkNoOverflow("expm", X, 1);
    return { m: 3, s: 0, mu: 0 };
  }
  const { A, A2, A4, A6, A8, T1 } = ws;
  copyInto(nn, Ain, A);
  let normA = norm1(n, A, ws.vecA);
  const mu = traceShift(n, A, normA, ws);
  if (mu !== 0) normA = norm1(n, A, ws.vecA);
  // Bounded work and no overflow in the unscaled powers A⁴, A⁶ (which overflow for ‖A‖₁ ≳ 1e51).
  if (!(normA <= EXPM_NORM_LIMIT)) throw new ExpmTooLargeError("expm", normA, EXPM_NORM_LIMIT);
  if (normA === 0) {
    X.fill(0, 0, nn);
    // No overflow check: traceShift shifts only by |μ| ≤ 500, and e^500 is finite.
    addIdentity(n, Math.exp(mu), X);
    return { m: 3, s: 0, mu };
  }
  const finish = (m: PadeDegree, s: number): ExpmInfo => {
    solvePQ(n, ws, X);
    if (s > 0) {
      // Repeated squaring, ping-ponging between X and T1.
      let src = X;
      let dst = T1;
      for (let k = 0; k < s; k++) {
        matmul(n, n, n, src, src, dst, false);
        const tmp = src;
        src = dst;
        dst = tmp;
      }
      if (src !== X) copyInto(nn, src, X);
    }
    if (mu !== 0) {
      const e = Math.exp(mu);
      for (let i = 0; i < nn; i++) X[i] *= e;
    }
    checkNoOverflow("expm", X, nn);
    return { m, s, mu };
  };
  const est = (mats: Float64Array[]) => normest1(n, mats, ws.normest);

  matmul(n, n, n, A, A, A2, false);
  const d4Loose = est([A2, A2]) ** (1 / 4);
  const d6Loose = est([A2, A2, A2]) ** (1 / 6);
  const eta1 = Math.max(d4Loose, d6Loose);
  if (eta1 <= THETA[3] && ell(n, A, 3, normA, ws) === 0) {
    padeLow(n, 3, ws);
    return finish(3, 0);
  }
  matmul(n, n, n, A2, A2, A4, false);
  const d4 = norm1(n, A4, ws.vecA) ** (1 / 4);
  const eta2 = Math.max(d4, d6Loose);
  if (eta2 <= THETA[5] && ell(n, A, 5, normA, ws) === 0) {
    padeLow(n, 5, ws);
    return finish(5, 0);
  }
  matmul(n, n, n, A2, A4, A6, false);
  const d6 = norm1(n, A6, ws.vecA) ** (1 / 6);
  const d8Loose = est([A4, A4]) ** (1 / 8);
  const eta3 = Math.max(d6, d8Loose);
  if (eta3 <= THETA[7] && ell(n, A, 7, normA, ws) === 0) {
    padeLow(n, 7, ws);
    return finish(7, 0);
  }
  if (eta3 <= THETA[9] && ell(n, A, 9, normA, ws) === 0) {
    matmul(n, n, n, A4, A4, A8, false);
    padeLow(n, 9, ws);
    return finish(9, 0);
  }
  const d10Loose = est([A4, A6]) ** (1 / 10);
  const eta4 = Math.max(d8Loose, d10Loose);
  const eta5 = Math.min(eta3, eta4);
  let s = eta5 === 0 ? 0 : Math.max(Math.ceil(Math.log2(eta5 / THETA[13])), 0);
  // ℓ(2^{−s}A, 13): scale A first (the powers are rescaled below).
  const sc = 2 ** -s;
  for (let i = 0; i < nn; i++) A[i] *= sc;
  const extra = ell(n, A, 13, normA * sc, ws);
  const sc2 = 2 ** -extra;
  if (extra > 0) for (let i = 0; i < nn; i++) A[i] *= sc2;
  s += extra;
  const f = 2 ** -s;
  const f2 = f * f;
  const f4 = f2 * f2;
  const f6 = f4 * f2;
  for (let i = 0; i < nn; i++) {
    A2[i] *= f2;
    A4[i] *= f4;
    A6[i] *= f6;
  }
  pade13(n, ws);
  return finish(13, s);
}

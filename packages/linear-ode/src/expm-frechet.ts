/**
 * exp(A) and its Fréchet derivative L(A, E) = d/dh exp(A + hE)|_{h=0} together, by Algorithm
 * 6.4 of Al-Mohy & Higham (2009, "Computing the Fréchet derivative of the matrix exponential").
 *
 * The Padé approximant r_m = q_m⁻¹p_m of degree m ∈ {3, 5, 7, 9, 13} is differentiated
 * alongside its evaluation: with M_{2k} = L(A^{2k}, E) (M₂ = AE + EA, M₄ = A²M₂ + M₂A²,
 * M₆ = A⁴M₂ + M₄A²), L_u = L(U, E) and L_v = L(V, E) follow term by term; then
 * q_m R = p_m and q_m L = L_u + L_v + (L_u − L_v)R share one LU factorisation, and the
 * squaring phase applies L ← RL + LR, R ← R² s times. Degree and scaling come from
 * ‖A‖₁ against ℓ_m of the paper's Table 6.1 (backward error ≤ u for both exp and L).
 * The trace shift L(A, E) = e^μ·L(A − μI, E) is applied as in `expm`; so is its limit (a shifted
 * ‖A‖₁ above ℓ₁₃·2⁵³ throws `ExpmTooLargeError`).
 *
 * Cost: about 3× `expm` (degree 13: 19 products + 3s for squaring, one LU, 2n solves).
 *
 * Reference: A. H. Al-Mohy, N. J. Higham, "Computing the Fréchet derivative of the matrix
 * exponential, with an application to condition number estimation", SIAM J. Matrix Anal.
 * Appl. 30(4), 1639–1657, 2009 (Algorithm 6.4, Table 6.1).
 */
import { luFactor, matmul } from "@udekit/kernels";
import { addIdentity, copyInto, luSolveColumns } from "./dense.js";
import { checkNoOverflow, ExpmTooLargeError, SingularPadeError } from "./errors.js";
import { traceShift } from "./expm.js";
import { norm1 } from "./norms.js";
import { FRECHET_ELL, MAX_SQUARINGS, PADE_B, type PadeDegree } from "./pade.js";
import type { ExpmWorkspace } from "./workspace.js";

/** ‖A‖₁ above which more than MAX_SQUARINGS squarings would be needed. */
const FRECHET_NORM_LIMIT = FRECHET_ELL[13] * 2 ** MAX_SQUARINGS;

/** What `expmFrechetInto` chose: Padé degree m, squarings s, trace shift μ. */
export interface ExpmFrechetInfo {
  m: PadeDegree;
  s: number;
  mu: number;
}

/** U, V, L_u, L_v for m ≤ 9 from ws.A and the scaled direction fb.E. */
function padeLowFrechet(n: number, m: 3 | 5 | 7 | 9, ws: ExpmWorkspace): void {
  const nn = n * n;
  const b = PADE_B[m];
  const fb = ws.frechet();
  const { A, A2, A4, A6, A8, U, V } = ws;
  const { E, M2, M4, M6, W, Lu, Lv, L1, L2 } = fb;
  const M8 = L2;
  matmul(n, n, n, A, A, A2, false);
  matmul(n, n, n, A, E, M2, false);
  matmul(n, n, n, E, A, M2, true);
  if (m >= 5) {
    matmul(n, n, n, A2, A2, A4, false);
    matmul(n, n, n, A2, M2, M4, false);
    matmul(n, n, n, M2, A2, M4, true);
  }
  if (m >= 7) {
    matmul(n, n, n, A2, A4, A6, false);
    matmul(n, n, n, A4, M2, M6, false);
    matmul(n, n, n, M4, A2, M6, true);
  }
  if (m >= 9) {
    matmul(n, n, n, A4, A4, A8, false);
    matmul(n, n, n, A4, M4, M8, false);
    matmul(n, n, n, M4, A4, M8, true);
  }
  for (let i = 0; i < nn; i++) {
    let w = b[3] * A2[i];
    let v = b[2] * A2[i];
    let lw = b[3] * M2[i];
    let lv = b[2] * M2[i];
    if (m >= 5) {
      w += b[5] * A4[i];
      v += b[4] * A4[i];
      lw += b[5] * M4[i];
      lv += b[4] * M4[i];
    }
    if (m >= 7) {
      w += b[7] * A6[i];
      v += b[6] * A6[i];
      lw += b[7] * M6[i];
      lv += b[6] * M6[i];
    }
    if (m >= 9) {
      w += b[9] * A8[i];
      v += b[8] * A8[i];
      lw += b[9] * M8[i];
      lv += b[8] * M8[i];
    }
    W[i] = w;
    V[i] = v;
    L1[i] = lw;
    Lv[i] = lv;
  }
  addIdentity(n, b[1], W);
  addIdentity(n, b[0], V);
  matmul(n, n, n, A, W, U, false);
  matmul(n, n, n, A, L1, Lu, false);
  matmul(n, n, n, E, W, Lu, true);
}

/** U, V, L_u, L_v for m = 13 from the scaled ws.A and fb.E (Algorithm 6.4, lines 12–26). */
function pade13Frechet(n: number, ws: ExpmWorkspace): void {
  const nn = n * n;
  const b = PADE_B[13];
  const fb = ws.frechet();
  const { A, A2, A4, A6, U, V, T1 } = ws;
  const { E, M2, M4, M6, W1, Z1, W, Lu, Lv, L1, L2 } = fb;
  matmul(n, n, n, A, A, A2, false);
  matmul(n, n, n, A2, A2, A4, false);
  matmul(n, n, n, A2, A4, A6, false);
  matmul(n, n, n, A, E, M2, false);
  matmul(n, n, n, E, A, M2, true);
  matmul(n, n, n, A2, M2, M4, false);
  matmul(n, n, n, M2, A2, M4, true);
  matmul(n, n, n, A4, M2, M6, false);
  matmul(n, n, n, M4, A2, M6, true);
  for (let i = 0; i < nn; i++) {
    W1[i] = b[13] * A6[i] + b[11] * A4[i] + b[9] * A2[i];
    Z1[i] = b[12] * A6[i] + b[10] * A4[i] + b[8] * A2[i];
    L1[i] = b[13] * M6[i] + b[11] * M4[i] + b[9] * M2[i];
    L2[i] = b[12] * M6[i] + b[10] * M4[i] + b[8] * M2[i];
  }
  // W = A6·W1 + W2, V = A6·Z1 + Z2.
  matmul(n, n, n, A6, W1, W, false);
  matmul(n, n, n, A6, Z1, V, false);
  for (let i = 0; i < nn; i++) {
    W[i] += b[7] * A6[i] + b[5] * A4[i] + b[3] * A2[i];
    V[i] += b[6] * A6[i] + b[4] * A4[i] + b[2] * A2[i];
  }
  addIdentity(n, b[1], W);
  addIdentity(n, b[0], V);
  matmul(n, n, n, A, W, U, false);
  // L_w = A6·L_w1 + M6·W1 + L_w2;  L_u = A·L_w + E·W.
  matmul(n, n, n, A6, L1, T1, false);
  matmul(n, n, n, M6, W1, T1, true);
  for (let i = 0; i < nn; i++) T1[i] += b[7] * M6[i] + b[5] * M4[i] + b[3] * M2[i];
  matmul(n, n, n, A, T1, Lu, false);
  matmul(n, n, n, E, W, Lu, true);
  // L_v = A6·L_z1 + M6·Z1 + L_z2.
  matmul(n, n, n, A6, L2, Lv, false);
  matmul(n, n, n, M6, Z1, Lv, true);
  for (let i = 0; i < nn; i++) Lv[i] += b[6] * M6[i] + b[4] * M4[i] + b[2] * M2[i];
}

/**
 * Writes X = exp(A) and L = L(A, E) (n×n, row-major). A and E are not modified; X and L may
 * alias them (inputs are copied first). Allocation-free given a workspace for this n.
 */
export function expmFrechetInto(
  n: number,
  Ain: Float64Array,
  Ein: Float64Array,
  X: Float64Array,
  L: Float64Array,
  ws: ExpmWorkspace,
): ExpmFrechetInfo {
  const nn = n * n;
  const fb = ws.frechet();
  if (n === 1) {
    const e = Math.exp(Ain[0]);
    L[0] = e * Ein[0];
    X[0] = e;
    checkNoOverflow("expmFrechet", X, 1);
    checkNoOverflow("expmFrechet (the derivative L)", L, 1);
    return { m: 3, s: 0, mu: 0 };
  }
  const { A, U, V, Q, piv, vecA, T1, T2 } = ws;
  const { E, Lu, Lv, L1 } = fb;
  copyInto(nn, Ain, A);
  copyInto(nn, Ein, E);
  let normA = norm1(n, A, vecA);
  const mu = traceShift(n, A, normA, ws);
  if (mu !== 0) normA = norm1(n, A, vecA);
  if (!(normA <= FRECHET_NORM_LIMIT)) throw new ExpmTooLargeError("expmFrechet", normA, FRECHET_NORM_LIMIT);

  let m: PadeDegree = 13;
  let s = 0;
  if (normA <= FRECHET_ELL[3]) m = 3;
  else if (normA <= FRECHET_ELL[5]) m = 5;
  else if (normA <= FRECHET_ELL[7]) m = 7;
  else if (normA <= FRECHET_ELL[9]) m = 9;
  if (m !== 13) {
    padeLowFrechet(n, m as 3 | 5 | 7 | 9, ws);
  } else {
    s = Math.max(0, Math.ceil(Math.log2(normA / FRECHET_ELL[13])));
    const f = 2 ** -s;
    for (let i = 0; i < nn; i++) {
      A[i] *= f;
      E[i] *= f;
    }
    pade13Frechet(n, ws);
  }
  // q_m R = p_m and q_m L = L_u + L_v + (L_u − L_v)R with one LU of q_m = V − U.
  for (let i = 0; i < nn; i++) {
    Q[i] = V[i] - U[i];
    X[i] = V[i] + U[i];
    T2[i] = Lu[i] - Lv[i];
    L1[i] = Lu[i] + Lv[i];
  }
  if (luFactor(n, Q, piv) !== 0) throw new SingularPadeError();
  luSolveColumns(n, Q, piv, X, vecA);
  matmul(n, n, n, T2, X, L1, true);
  luSolveColumns(n, Q, piv, L1, vecA);
  // Squaring phase: L ← R·L + L·R, R ← R², ping-ponging between (X, L) and (T2, T1).
  let R = X;
  let Lc = L1;
  let Rn = T2;
  let Ln = T1;
  for (let k = 0; k < s; k++) {
    matmul(n, n, n, R, Lc, Ln, false);
    matmul(n, n, n, Lc, R, Ln, true);
    matmul(n, n, n, R, R, Rn, false);
    const r = R;
    R = Rn;
    Rn = r;
    const l = Lc;
    Lc = Ln;
    Ln = l;
  }
  if (R !== X) copyInto(nn, R, X);
  copyInto(nn, Lc, L);
  if (mu !== 0) {
    const e = Math.exp(mu);
    for (let i = 0; i < nn; i++) {
      X[i] *= e;
      L[i] *= e;
    }
  }
  checkNoOverflow("expmFrechet", X, nn);
  checkNoOverflow("expmFrechet (the derivative L)", L, nn);
  return { m, s, mu };
}

/**
 * Small O(n²) helpers for n×n row-major matrices (copies, identity updates, transposes) and
 * the multiple-right-hand-side solve that calls the kernel's `luSolve` once per column.
 * The O(n³) work (products, LU) always goes through @udekit/kernels.
 */
import { luSolve } from "@udekit/kernels";

/** dst[0:len] = src[0:len]. */
export function copyInto(len: number, src: Float64Array, dst: Float64Array): void {
  for (let i = 0; i < len; i++) dst[i] = src[i];
}

/** M += alpha·I (n×n). */
export function addIdentity(n: number, alpha: number, M: Float64Array): void {
  for (let i = 0; i < n; i++) M[i * n + i] += alpha;
}

/** dst = Aᵀ (n×n); dst must not alias A. */
export function transposeInto(n: number, A: Float64Array, dst: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < n; j++) dst[j * n + i] = A[ri + j];
  }
}

/**
 * out = Σ coeffs[k]·mats[k] over the first len entries (a linear combination of equally sized
 * matrices), written in one pass.
 */
export function combineInto(
  len: number,
  out: Float64Array,
  c0: number,
  M0: Float64Array,
  c1: number,
  M1: Float64Array,
  c2 = 0,
  M2: Float64Array | null = null,
  c3 = 0,
  M3: Float64Array | null = null,
): void {
  if (M3 !== null && M2 !== null) {
    for (let i = 0; i < len; i++) out[i] = c0 * M0[i] + c1 * M1[i] + c2 * M2[i] + c3 * M3[i];
  } else if (M2 !== null) {
    for (let i = 0; i < len; i++) out[i] = c0 * M0[i] + c1 * M1[i] + c2 * M2[i];
  } else {
    for (let i = 0; i < len; i++) out[i] = c0 * M0[i] + c1 * M1[i];
  }
}

/**
 * Solves (LU)·X = B for an n×n right-hand side B (overwritten by X), one column at a time
 * through the kernel's `luSolve` (factor once, solve each column). `col` is an n-vector scratch.
 */
export function luSolveColumns(
  n: number,
  LU: Float64Array,
  piv: Int32Array,
  B: Float64Array,
  col: Float64Array,
): void {
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) col[i] = B[i * n + j];
    luSolve(n, LU, piv, col);
    for (let i = 0; i < n; i++) B[i * n + j] = col[i];
  }
}

/** Index of the first non-finite entry of x[0:len], or −1. */
export function firstNonFinite(len: number, x: Float64Array): number {
  for (let i = 0; i < len; i++) if (!Number.isFinite(x[i])) return i;
  return -1;
}

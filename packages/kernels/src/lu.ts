/**
 * LU factorisation with partial pivoting (Golub & Van Loan, Matrix Computations, 4th ed.,
 * Algorithm 3.4.1, right-looking, row-major) and the matching forward/back substitution.
 */

export function luFactor(n: number, A: Float64Array, piv: Int32Array): number {
  let info = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(A[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(A[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    piv[k] = p;
    if (p !== k) {
      const rk = k * n;
      const rp = p * n;
      for (let j = 0; j < n; j++) {
        const t = A[rk + j];
        A[rk + j] = A[rp + j];
        A[rp + j] = t;
      }
    }
    const pivot = A[k * n + k];
    if (pivot === 0) {
      if (info === 0) info = k + 1;
      continue;
    }
    const inv = 1 / pivot;
    const rk = k * n;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const l = A[ri + k] * inv;
      A[ri + k] = l;
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) A[ri + j] -= l * A[rk + j];
    }
  }
  return info;
}

export function luSolve(n: number, LU: Float64Array, piv: Int32Array, b: Float64Array): void {
  for (let k = 0; k < n; k++) {
    const p = piv[k];
    if (p !== k) {
      const t = b[k];
      b[k] = b[p];
      b[p] = t;
    }
  }
  for (let i = 1; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let j = 0; j < i; j++) s -= LU[ri + j] * b[j];
    b[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    let s = b[i];
    for (let j = i + 1; j < n; j++) s -= LU[ri + j] * b[j];
    b[i] = s / LU[ri + i];
  }
}

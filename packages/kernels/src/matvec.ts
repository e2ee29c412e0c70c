/** Matrix–vector products, plain TypeScript. Four rows at a time so each x load serves four rows. */

export function matvec(
  m: number,
  n: number,
  A: Float64Array,
  x: Float64Array,
  y: Float64Array,
  accumulate: boolean,
): void {
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const r0 = i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < n; j++) {
      const xj = x[j];
      s0 += A[r0 + j] * xj;
      s1 += A[r1 + j] * xj;
      s2 += A[r2 + j] * xj;
      s3 += A[r3 + j] * xj;
    }
    if (accumulate) {
      y[i] += s0;
      y[i + 1] += s1;
      y[i + 2] += s2;
      y[i + 3] += s3;
    } else {
      y[i] = s0;
      y[i + 1] = s1;
      y[i + 2] = s2;
      y[i + 3] = s3;
    }
  }
  for (; i < m; i++) {
    const r = i * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += A[r + j] * x[j];
    y[i] = accumulate ? y[i] + s : s;
  }
}

export function matvecT(
  m: number,
  n: number,
  A: Float64Array,
  x: Float64Array,
  y: Float64Array,
  accumulate: boolean,
): void {
  if (!accumulate) y.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const r = i * n;
    for (let j = 0; j < n; j++) y[j] += A[r + j] * xi;
  }
}

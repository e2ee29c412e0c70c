/** Level-1 loops (axpy, scale, dot, elementwise product and multiply-add) and the rank-1 update, plain TypeScript. */

export function axpy(n: number, alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}

export function scale(n: number, alpha: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) x[i] *= alpha;
}

export function dot(n: number, x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

export function mul(n: number, a: Float64Array, b: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
}

export function allFinite(n: number, x: Float64Array): boolean {
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

export function mulAdd(n: number, a: Float64Array, b: Float64Array, c: Float64Array): void {
  for (let i = 0; i < n; i++) c[i] += a[i] * b[i];
}

export function ger(
  m: number,
  n: number,
  alpha: number,
  x: Float64Array,
  y: Float64Array,
  A: Float64Array,
): void {
  for (let i = 0; i < m; i++) {
    const axi = alpha * x[i];
    if (axi === 0) continue;
    const r = i * n;
    for (let j = 0; j < n; j++) A[r + j] += axi * y[j];
  }
}

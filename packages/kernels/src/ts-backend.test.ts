// The TypeScript backend against naive textbook loops written independently here.
// Tolerance: both sides sum the same products, possibly in a different order, so they
// agree to a few ulps of the sum of |terms|; 1e-13 relative to that sum is ample.
import { describe, expect, test } from "vitest";
import { tsBackend as K } from "./ts-backend.js";

function rand(n: number, seed: number): Float64Array {
  const a = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

function expectClose(actual: Float64Array, expected: number[] | Float64Array, scale = 1): void {
  expect(actual.length).toBeGreaterThanOrEqual(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(
      1e-13 * scale * (1 + Math.abs(expected[i])),
    );
  }
}

const SIZES: [number, number, number][] = [
  [0, 0, 0],
  [1, 1, 1],
  [3, 5, 2],
  [7, 4, 9],
  [16, 16, 16],
  [33, 17, 5],
];

describe("ts backend", () => {
  test.each(SIZES)("matvec / matvecT %i×%i", (m, n) => {
    const A = rand(m * n, 1);
    const x = rand(n, 2);
    const xt = rand(m, 3);
    const ref = Array.from({ length: m }, (_, i) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
      return s;
    });
    const refT = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let i = 0; i < m; i++) s += A[i * n + j] * xt[i];
      return s;
    });
    const y = new Float64Array(m).fill(7);
    K.matvec(m, n, A, x, y, false);
    expectClose(y, ref, n);
    K.matvec(m, n, A, x, y, true);
    expectClose(
      y,
      ref.map((v) => 2 * v),
      n,
    );
    const yt = new Float64Array(n).fill(7);
    K.matvecT(m, n, A, xt, yt, false);
    expectClose(yt, refT, m);
  });

  test.each(SIZES)("matmul and transposed variants %i×%i×%i", (m, k, n) => {
    const A = rand(m * k, 4);
    const B = rand(k * n, 5);
    const ref = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[i * k + p] * B[p * n + j];
        ref[i * n + j] = s;
      }
    const C = new Float64Array(m * n).fill(3);
    K.matmul(m, k, n, A, B, C, false);
    expectClose(C, ref, k);
    // Aᵀ stored k×m and Bᵀ stored n×k give the same product through the transposed kernels.
    const At = new Float64Array(k * m);
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) At[p * m + i] = A[i * k + p];
    const Bt = new Float64Array(n * k);
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) Bt[j * k + p] = B[p * n + j];
    const C2 = new Float64Array(m * n).fill(3);
    K.matmulTN(m, k, n, At, B, C2, false);
    expectClose(C2, ref, k);
    const C3 = new Float64Array(m * n).fill(3);
    K.matmulNT(m, k, n, A, Bt, C3, false);
    expectClose(C3, ref, k);
    K.matmulNT(m, k, n, A, Bt, C3, true);
    expectClose(
      C3,
      ref.map((v) => 2 * v),
      k,
    );
  });

  test("level-1 loops and the rank-1 update", () => {
    const x = Float64Array.of(1, 2, 3);
    const y = Float64Array.of(4, 5, 6);
    K.axpy(3, 2, x, y);
    expect([...y]).toEqual([6, 9, 12]);
    K.scale(2, 0.5, y);
    expect([...y]).toEqual([3, 4.5, 12]);
    expect(K.dot(3, x, Float64Array.of(1, 1, 1))).toBe(6);
    const c = Float64Array.of(1, 1, 1);
    K.mulAdd(3, x, x, c);
    expect([...c]).toEqual([2, 5, 10]);
    K.mul(2, x, c, c);
    expect([...c]).toEqual([2, 10, 10]);
    expect(K.allFinite(3, c)).toBe(true);
    c[2] = Number.NaN;
    expect(K.allFinite(3, c)).toBe(false);
    expect(K.allFinite(2, c)).toBe(true);
    const A = new Float64Array(6);
    K.ger(2, 3, 2, Float64Array.of(1, -1), Float64Array.of(1, 2, 3), A);
    expect([...A]).toEqual([2, 4, 6, -2, -4, -6]);
  });

  test.each([1, 2, 5, 12, 40])("LU solves a random %i×%i system to a small residual", (n) => {
    const A = rand(n * n, 11 + n);
    for (let i = 0; i < n; i++) A[i * n + i] += 0.1; // keep it away from singular in expectation
    const xTrue = rand(n, 12);
    const b = new Float64Array(n);
    K.matvec(n, n, A, xTrue, b, false);
    const LU = A.slice();
    const piv = new Int32Array(n);
    expect(K.luFactor(n, LU, piv)).toBe(0);
    const x = b.slice();
    K.luSolve(n, LU, piv, x);
    // Backward stability: residual ‖Ax − b‖ is O(n·ε·‖A‖·‖x‖).
    const r = new Float64Array(n);
    K.matvec(n, n, A, x, r, false);
    for (let i = 0; i < n; i++) expect(Math.abs(r[i] - b[i])).toBeLessThan(1e-12 * n);
  });

  test("LU reports an exactly singular matrix", () => {
    const A = Float64Array.of(1, 2, 2, 4);
    expect(K.luFactor(2, A, new Int32Array(2))).toBe(2);
  });
});

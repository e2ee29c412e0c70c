// Agreement of the WebAssembly SIMD backend with the TypeScript fallback on random inputs of many
// sizes, for a backend that runs every call in wasm (smallToTs: false, so small shapes exercise the
// wasm code's edge handling) and for the default one (small calls on the TypeScript loops). Sizes: 0-size and 1×1 cases, sizes that are not multiples of the vector width (2), of matmul's
// register block (2 rows × 8 columns) or of matvec's row block (4) and column step (4) and matvecT's column block (12);
// operands that are ordinary arrays (copy path), arena arrays (no-copy path) and a mix; accumulate
// true and false; k above matmul's block of 256 products, m and n above its packed blocks of A
// (128 rows) and B (512 columns).
//
// Bit for bit (Object.is on every entry) wherever both implementations do the same operations
// in the same order: matvecT, matmul, matmulTN, matmulNT, axpy, scale, mul, mulAdd, ger, luFactor,
// luSolve (see the header of each assembly/*.ts file for why the order is the same).
// Rounding bound for matvec and dot, whose SIMD versions sum in interleaved partial sums: each
// result is the float64 sum of the same N terms (y, when accumulating, and the products aᵢxᵢ, which
// both compute with one identical rounding) in two different orders. Any order satisfies
// |fl(Σ) − Σ| ≤ γ₍N−1₎·Σ|terms| with γₖ = kε/(1 − kε), ε = 2⁻⁵³ (Higham, Accuracy and Stability of
// Numerical Algorithms, 2nd ed., §4.2, eq. 4.4), so two orders differ by at most 2·γ₍N−1₎·Σ|terms|.
// Σ|terms| is itself evaluated in float64 (relative error ≤ γ_N), hence the factor 2.01 below.
import { afterEach, describe, expect, test, vi } from "vitest";
import type { KernelBackend } from "./backend.js";
import {
  allocF64,
  allocF64From,
  arenaStats,
  freeArray,
  inWasmMemory,
  KernelShapeError,
  tsBackend as T,
  wasmBackend,
  wasmSimdSupported,
} from "./index.js";
import { createWasmKernels, type WasmKernels } from "./wasm-backend.js";

const EPS = 2 ** -53;
const gamma = (k: number) => (k * EPS) / (1 - k * EPS);

function rand(n: number, seed: number): number[] {
  const a: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a.push(s / 2 ** 32 - 0.5);
  }
  return a;
}

type Placement = "plain" | "arena" | "mixed";

const RAW = createWasmKernels({ smallToTs: false }) as WasmKernels;
const DEFAULT = createWasmKernels() as WasmKernels;

/** Every combination of backend instance and operand placement. */
const CASES: [string, WasmKernels, Placement][] = [];
for (const [label, kernels] of [
  ["all in wasm", RAW],
  ["small on ts", DEFAULT],
] as const) {
  for (const placement of ["plain", "arena", "mixed"] as const) CASES.push([label, kernels, placement]);
}

/** A Float64Array holding values, placed per the mode (mixed: alternate by operand index). */
function place(values: number[], mode: Placement, index: number, kernels: WasmKernels): Float64Array {
  const inArena = mode === "arena" || (mode === "mixed" && index % 2 === 0);
  if (!inArena) return Float64Array.from(values);
  const a = kernels.arena.allocF64(values.length) ?? new Float64Array(values.length);
  a.set(values);
  return a;
}

function expectBitwise(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      expect.fail(`entry ${i}: wasm ${actual[i]} !== ts ${expected[i]} (not bit-for-bit)`);
    }
  }
}

const W = wasmBackend as KernelBackend;

test("this engine has WebAssembly SIMD, so the wasm backend exists (Node 20 does)", () => {
  expect(wasmSimdSupported()).toBe(true);
  expect(W?.name).toBe("wasm");
});

afterEach(() => {
  vi.restoreAllMocks();
});

const MV_SIZES: [number, number][] = [
  [0, 0],
  [0, 3],
  [3, 0],
  [1, 1],
  [1, 2],
  [2, 1],
  [3, 5],
  [4, 4],
  [5, 3],
  [6, 6],
  [7, 9],
  [8, 16],
  [13, 10],
  [9, 17],
  [17, 31],
  [33, 15],
  [64, 64],
  [100, 100],
  [101, 37],
];

describe.each(CASES)("matvec / matvecT (%s, %s operands)", (_, K, mode) => {
  const W = K.backend;
  const place_ = (v: number[], i: number) => place(v, mode, i, K);
  test.each(MV_SIZES)("%i×%i", (m, n) => {
    const A = rand(m * n, 1 + m + 7 * n);
    const x = rand(n, 2 + n);
    const xt = rand(m, 3 + m);
    const y0 = rand(Math.max(m, n), 4);
    for (const accumulate of [false, true]) {
      // matvec: rounding bound per entry.
      const yT = Float64Array.from(y0.slice(0, m));
      T.matvec(m, n, Float64Array.from(A), Float64Array.from(x), yT, accumulate);
      const yW = place_(y0.slice(0, m), 2);
      W.matvec(m, n, place_(A, 0), place_(x, 1), yW, accumulate);
      for (let i = 0; i < m; i++) {
        let abs = accumulate ? Math.abs(y0[i]) : 0;
        for (let j = 0; j < n; j++) abs += Math.abs(A[i * n + j] * x[j]);
        const terms = n + (accumulate ? 1 : 0);
        expect(Math.abs(yW[i] - yT[i])).toBeLessThanOrEqual(2.01 * gamma(Math.max(terms - 1, 0)) * abs);
      }
      // matvecT: bit for bit.
      const ztT = Float64Array.from(y0.slice(0, n));
      T.matvecT(m, n, Float64Array.from(A), Float64Array.from(xt), ztT, accumulate);
      const ztW = place_(y0.slice(0, n), 1);
      W.matvecT(m, n, place_(A, 0), place_(xt, 2), ztW, accumulate);
      expectBitwise(ztW, ztT);
    }
  });
});

describe.each(CASES)("matvecT skips rows with xᵢ = 0 bit for bit (%s, %s operands)", (_, K, mode) => {
  const W = K.backend;
  const place_ = (v: number[], i: number) => place(v, mode, i, K);
  // n = 0…29 covers every remainder of the 12-column block and its 4-, 2- and 1-column tails;
  // m = 1 (x is one zero), 2, 7 (Dormand–Prince stage weights, two of them zero) and 13 (odd, so
  // the SIMD scan of x has a scalar tail that is zero). x holds +0 and −0; the skipped rows of A
  // hold ±Infinity and NaN (which a multiplication by zero would turn into NaN) and y starts at −0
  // (which adding +0 would turn into +0), so any row that is not skipped changes the result.
  const ns = Array.from({ length: 30 }, (_, n) => n);
  test.each([1, 2, 7, 13])("m = %i, n = 0…29", (m) => {
    for (const n of ns) {
      const x = rand(m, 5 + m);
      const zero = (i: number) => i === 1 || i === m - 1;
      for (let i = 0; i < m; i++) if (zero(i)) x[i] = i % 2 === 0 ? 0 : -0;
      const A = rand(m * n, 6 + n);
      for (let i = 0; i < m; i++) {
        if (zero(i)) for (let j = 0; j < n; j++) A[i * n + j] = [Infinity, -Infinity, NaN][j % 3];
      }
      const y0 = rand(n, 7 + n).map((v, j) => (j % 2 === 0 ? -0 : v));
      for (const accumulate of [false, true]) {
        const yT = Float64Array.from(y0);
        T.matvecT(m, n, Float64Array.from(A), Float64Array.from(x), yT, accumulate);
        const yW = place_(y0, 1);
        W.matvecT(m, n, place_(A, 0), place_(x, 2), yW, accumulate);
        expectBitwise(yW, yT);
        if (m === 1 && accumulate) for (let j = 0; j < n; j += 2) expect(Object.is(yW[j], -0)).toBe(true);
      }
    }
  });
});

const MM_SIZES: [number, number, number][] = [
  [0, 0, 0],
  [0, 3, 2],
  [3, 0, 2],
  [2, 3, 0],
  [1, 1, 1],
  [1, 5, 1],
  [2, 7, 8],
  [3, 4, 9],
  [5, 9, 15],
  [7, 13, 16],
  [9, 2, 17],
  [16, 16, 16],
  [33, 17, 5],
  [31, 40, 23],
  [64, 64, 64],
  [100, 100, 100],
  [101, 37, 99],
  // k above the kernel's block of 256 products (several passes over C):
  [5, 300, 9],
  [4, 520, 17],
  // m above the packed block of 128 rows of A, n above the packed block of 512 columns of B:
  [131, 3, 7],
  [3, 5, 530],
  [133, 260, 19],
];

describe.each(CASES)("matmul, matmulTN, matmulNT bit for bit (%s, %s operands)", (_, K, mode) => {
  const W = K.backend;
  const place_ = (v: number[], i: number) => place(v, mode, i, K);
  test.each(MM_SIZES)("%i×%i×%i", (m, k, n) => {
    const A = rand(m * k, 5 + m);
    const B = rand(k * n, 6 + n);
    const C0 = rand(m * n, 7 + k);
    for (const kernel of ["matmul", "matmulTN", "matmulNT"] as const) {
      // The same flat arrays serve all three: A is read as m×k (or k×m for TN), B as k×n (n×k for NT).
      for (const accumulate of [false, true]) {
        const CT = Float64Array.from(C0);
        T[kernel](m, k, n, Float64Array.from(A), Float64Array.from(B), CT, accumulate);
        const CW = place_(C0, 2);
        W[kernel](m, k, n, place_(A, 0), place_(B, 1), CW, accumulate);
        expectBitwise(CW, CT);
      }
    }
  });
});

const VEC_SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 100, 1001];

describe.each(CASES)("level-1 kernels and ger (%s, %s operands)", (_, K, mode) => {
  const W = K.backend;
  const place_ = (v: number[], i: number) => place(v, mode, i, K);
  test.each(VEC_SIZES)("n = %i", (n) => {
    const x = rand(n, 8 + n);
    const y = rand(n, 9 + n);
    const z = rand(n, 10 + n);
    const alpha = -0.37;

    const yT = Float64Array.from(y);
    T.axpy(n, alpha, Float64Array.from(x), yT);
    const yW = place_(y, 1);
    W.axpy(n, alpha, place_(x, 0), yW);
    expectBitwise(yW, yT);

    const sT = Float64Array.from(x);
    T.scale(n, alpha, sT);
    const sW = place_(x, 0);
    W.scale(n, alpha, sW);
    expectBitwise(sW, sT);

    const pT = Float64Array.from(z);
    T.mul(n, Float64Array.from(x), Float64Array.from(y), pT);
    const pW = place_(z, 2);
    W.mul(n, place_(x, 0), place_(y, 1), pW);
    expectBitwise(pW, pT);
    // In place: out is one of the operands (the arena copy and the copy path both).
    const qT = Float64Array.from(x);
    T.mul(n, qT, Float64Array.from(y), qT);
    const qW = place_(x, 0);
    W.mul(n, qW, place_(y, 1), qW);
    expectBitwise(qW, qT);
    const rW = place_(y, 1);
    W.mul(n, place_(x, 0), rW, rW);
    expectBitwise(rW, pT);

    // allFinite: true on finite data; false with ±Infinity or NaN at the first, a middle or the
    // last entry (the SIMD body, its pair loop and its scalar tail each see one).
    expect(W.allFinite(n, place_(x, 0))).toBe(true);
    for (const bad of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
      for (const at of new Set([0, n >> 1, n - 1])) {
        if (n === 0) continue;
        const v = [...x];
        v[at] = bad;
        expect(W.allFinite(n, place_(v, 0))).toBe(false);
        expect(T.allFinite(n, Float64Array.from(v))).toBe(false);
        // Only the first n entries count.
        if (at > 0) expect(W.allFinite(at, place_(v, 0))).toBe(true);
      }
    }

    const cT = Float64Array.from(z);
    T.mulAdd(n, Float64Array.from(x), Float64Array.from(y), cT);
    const cW = place_(z, 2);
    W.mulAdd(n, place_(x, 0), place_(y, 1), cW);
    expectBitwise(cW, cT);

    let abs = 0;
    for (let i = 0; i < n; i++) abs += Math.abs(x[i] * y[i]);
    const dT = T.dot(n, Float64Array.from(x), Float64Array.from(y));
    const dW = W.dot(n, place_(x, 0), place_(y, 1));
    expect(Math.abs(dW - dT)).toBeLessThanOrEqual(2.01 * gamma(Math.max(n - 1, 0)) * abs);

    // ger with an m×n matrix, m = n % 7 + 2 rows; a zero in x exercises the skipped row.
    const m = (n % 7) + 2;
    const xs = rand(m, 11 + n);
    xs[1] = 0;
    const A = rand(m * n, 12 + n);
    const AT = Float64Array.from(A);
    T.ger(m, n, alpha, Float64Array.from(xs), Float64Array.from(y), AT);
    const AW = place_(A, 2);
    W.ger(m, n, alpha, place_(xs, 0), place_(y, 1), AW);
    expectBitwise(AW, AT);
  });
});

describe.each(CASES)("LU bit for bit (%s, %s operands)", (_, K, mode) => {
  const W = K.backend;
  const place_ = (v: number[], i: number) => place(v, mode, i, K);
  test.each([0, 1, 2, 3, 5, 8, 9, 17, 40, 100])("n = %i", (n) => {
    const A = rand(n * n, 13 + n);
    const LT = Float64Array.from(A);
    const pT = new Int32Array(n);
    const infoT = T.luFactor(n, LT, pT);
    const LW = place_(A, 0);
    const pW = (mode === "plain" ? null : K.arena.allocI32(n)) ?? new Int32Array(n);
    const infoW = W.luFactor(n, LW, pW);
    expect(infoW).toBe(infoT);
    expect([...pW]).toEqual([...pT]);
    expectBitwise(LW, LT);
    const b = rand(n, 14 + n);
    const bT = Float64Array.from(b);
    T.luSolve(n, LT, pT, bT);
    const bW = place_(b, 1);
    W.luSolve(n, LW, pW, bW);
    expectBitwise(bW, bT);
  });

  test("an exactly singular matrix reports the same zero pivot", () => {
    // Column 2 is twice column 0, and row 3 is a copy of row 1: exact zeros appear during elimination.
    const A = [1, 3, 2, 5, 2, 7, 4, 1, 4, -1, 8, 2, 2, 7, 4, 1];
    const LT = Float64Array.from(A);
    const pT = new Int32Array(4);
    const LW = place_(A, 0);
    const pW = new Int32Array(4);
    const info = T.luFactor(4, LT, pT);
    expect(info).toBeGreaterThan(0);
    expect(W.luFactor(4, LW, pW)).toBe(info);
    expectBitwise(LW, LT);
  });
});

describe("copy path limits", () => {
  test("a call whose copied operands exceed the 16 MiB scratch runs on the TypeScript backend", () => {
    const n = 1_200_000; // two ordinary arrays of 9.6 MB each: 19.2 MB to copy
    const x = Float64Array.from(rand(n, 15));
    const y = Float64Array.from(rand(n, 16));
    const yT = y.slice();
    T.axpy(n, 0.5, x, yT);
    const spy = vi.spyOn(T, "axpy");
    W.axpy(n, 0.5, x, y);
    expect(spy).toHaveBeenCalledTimes(1);
    expectBitwise(y, yT);
    // With x in the arena only y is copied (9.6 MB): the wasm kernel runs.
    T.axpy(n, 0.5, x, yT);
    spy.mockClear();
    const xa = allocF64From(x);
    expect(inWasmMemory(xa)).toBe(true);
    W.axpy(n, 0.5, xa, y);
    expect(spy).not.toHaveBeenCalled();
    expectBitwise(y, yT);
    freeArray(xa);
  });

  test("arena arrays and their subarrays are used in place", () => {
    const A = allocF64From([1, 2, 3, 4, 5, 6]);
    const x = allocF64From([0, 1, 1]);
    const y = allocF64(4);
    W.matvec(2, 2, A.subarray(2), x.subarray(1), y.subarray(1), false);
    expect([...y]).toEqual([0, 7, 11, 0]);
    freeArray(A);
    freeArray(x);
    freeArray(y);
  });
});

describe("argument checks (memory safety of views into the wasm memory)", () => {
  test("a too-short array is a KernelShapeError, before anything is written", () => {
    const A = allocF64(5);
    const y = allocF64(2);
    expect(() => W.matvec(2, 3, A, new Float64Array(3), y, false)).toThrow(KernelShapeError);
    expect(() => W.matvec(2, 3, A, new Float64Array(3), y, false)).toThrow(
      /A has 5 entries but the dimensions need 6/,
    );
    expect(() =>
      W.matmul(2, 2, 2, new Float64Array(4), new Float64Array(4), new Float64Array(3), false),
    ).toThrow(/C has 3 entries/);
    expect(() => W.axpy(1.5, 1, new Float64Array(2), new Float64Array(2))).toThrow(
      /not a non-negative integer/,
    );
    expect(() => W.axpy(-1, 1, new Float64Array(2), new Float64Array(2))).toThrow(KernelShapeError);
  });

  test("luSolve rejects pivots that luFactor cannot have written", () => {
    const piv = Int32Array.of(5, 1);
    expect(() => W.luSolve(2, new Float64Array(4), piv, new Float64Array(2))).toThrow(
      /piv\[0\] = 5 is outside \[0, 2\)/,
    );
  });
});

test("arena stats reflect allocations", () => {
  const before = arenaStats();
  const a = allocF64(10);
  expect(arenaStats().usedBytes - before.usedBytes).toBe(80);
  freeArray(a);
  expect(arenaStats().usedBytes).toBe(before.usedBytes);
});

import { describe, expect, test } from "vitest";
import { EPS, loadFixture, relErrF, seedA } from "../test/fixtures.js";
import { expmInto } from "./expm.js";
import { PADE_B, padeErrorCoefficient } from "./pade.js";
import { ExpmWorkspace } from "./workspace.js";

interface BankCase {
  name: string;
  n: number;
  A: number[] | null;
  X: number[];
  reference: string;
  kappa: number;
  wellConditioned: boolean;
}

const bank = loadFixture<BankCase[]>("expm-bank.json");

/** The bank's badly scaled case A = D·B·D⁻¹, with a reference and κ for the unscaled B (scripts/gen-expm-scaled.py). */
interface ScaledCase {
  name: string;
  n: number;
  d: number[];
  X: number[];
  reference: string;
  kappaScaled: number;
}
const scaled = loadFixture<ScaledCase>("expm-badly-scaled.json");

/** D⁻¹·M·D for D = diag(d), M row-major n×n. */
function unscale(M: ArrayLike<number>, d: number[]): Float64Array {
  const n = d.length;
  return Float64Array.from({ length: n * n }, (_, k) => (M[k] / d[Math.floor(k / n)]) * d[k % n]);
}

function matrixOf(c: BankCase): Float64Array {
  if (c.A !== null) return Float64Array.from(c.A);
  const A = seedA();
  return c.name === "seed 3 A(P)" ? A.map((x) => 3 * x) : A;
}

describe("Padé constants", () => {
  test("coefficients equal the integers (2m − j)!·m!/((2m)!·j!·(m − j)!)·(2m)!/m! computed exactly", () => {
    const fact = (k: number): bigint => (k <= 1 ? 1n : BigInt(k) * fact(k - 1));
    for (const m of [3, 5, 7, 9, 13] as const) {
      for (let j = 0; j <= m; j++) {
        const exact = (fact(2 * m - j) * fact(m)) / (fact(j) * fact(m - j) * fact(m));
        // One rounding of an integer below 2⁵⁶ (b₀ of degree 13 exceeds 2⁵³): relative ≤ ε.
        expect(Math.abs(PADE_B[m][j] - Number(exact)) / Number(exact)).toBeLessThanOrEqual(EPS);
      }
    }
  });
  test("|c_{2m+1}| of the literature (1/100800 for m = 3, 1/10059033600 for m = 5)", () => {
    expect(padeErrorCoefficient(3) * 100800).toBeCloseTo(1, 14);
    expect(padeErrorCoefficient(5) * 10059033600).toBeCloseTo(1, 14);
  });
});

describe("expm test bank", () => {
  const ws = new Map<number, ExpmWorkspace>();
  for (const c of bank) {
    test(`${c.name} (reference: ${c.reference})`, () => {
      const w = ws.get(c.n) ?? new ExpmWorkspace(c.n);
      ws.set(c.n, w);
      const X = new Float64Array(c.n * c.n);
      expmInto(c.n, matrixOf(c), X, w);
      if (c.name === scaled.name) {
        // A = D·B·D⁻¹ with d from 1e-4 to 1e5: κ(A) ≈ 9e16, so a normwise κ·ε bound is vacuous
        // (it would let a zero matrix pass). Measure the error after undoing the scaling instead,
        // ‖D⁻¹(X − X*)D‖_F / ‖D⁻¹X*D‖_F, against the fixture's reference X* = D·exp(D⁻¹AD)·D⁻¹
        // (mpmath, 50 digits, exact for the float64 A: error ≤ ε in that norm). The products and
        // sums of scaling and squaring are covariant under a diagonal similarity (entry (i, j) of
        // every product is d_i/d_j times the same sum of terms), so the algorithm's rounding in this
        // norm is that of exp(B): a few ulps times κ(B) = 4.5 (measured 3.7e-15); 10·κ(B)·ε ≈ 1e-14.
        const tol = 10 * scaled.kappaScaled * EPS;
        expect(tol).toBeLessThanOrEqual(1e-13);
        expect(relErrF(unscale(X, scaled.d), unscale(scaled.X, scaled.d))).toBeLessThanOrEqual(tol);
        return;
      }
      const err = relErrF(X, c.X);
      // Well-conditioned cases (κ ≤ 10): the 1e-13, ~450 ulps, far above the few-ulp
      // backward error of the algorithm. Otherwise: forward error ≤ κ·(backward error u) plus the
      // reference's own error (≤ κ·u for the scipy references of the seed cases), so 10·κ·ε.
      const tol = c.wellConditioned ? 1e-13 : Math.max(1e-13, 10 * c.kappa * EPS);
      // A tolerance near 1 would accept any matrix of the right size, zeros included.
      expect(tol).toBeLessThanOrEqual(1e-10);
      expect(err).toBeLessThanOrEqual(tol);
    });
  }
});

describe("expm behaviour", () => {
  test("overscaling fix: [[1, b], [0, −1]] with b = 1e6 (closed form) needs few squarings", () => {
    // Al-Mohy & Higham 2009, §1: ‖A‖₁-based scaling would square log₂(1e6/4.25) ≈ 18 times.
    const b = 1e6;
    const A = Float64Array.of(1, b, 0, -1);
    const X = new Float64Array(4);
    const info = expmInto(2, A, X, new ExpmWorkspace(2));
    const ref = [Math.E, (b * (Math.E - 1 / Math.E)) / 2, 0, 1 / Math.E];
    // The exact result has entries exactly representable to within rounding of e, sinh(1): 1e-15.
    expect(relErrF(X, ref)).toBeLessThanOrEqual(1e-15);
    expect(info.s).toBeLessThanOrEqual(2);
  });
  test("zero matrix gives the identity exactly; X may alias A", () => {
    const A = new Float64Array(9);
    expmInto(3, A, A, new ExpmWorkspace(3));
    expect(Array.from(A)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
  test("workspace reuse gives bit-identical results", () => {
    const c = bank[1];
    const w = new ExpmWorkspace(c.n);
    const X1 = new Float64Array(c.n * c.n);
    const X2 = new Float64Array(c.n * c.n);
    expmInto(c.n, matrixOf(bank[0].n === c.n ? bank[0] : c), X1, w);
    expmInto(c.n, matrixOf(c), X1, w);
    expmInto(c.n, matrixOf(c), X2, new ExpmWorkspace(c.n));
    expect(Array.from(X1)).toEqual(Array.from(X2));
  });
});

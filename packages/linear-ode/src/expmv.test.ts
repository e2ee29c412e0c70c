import { describe, expect, test } from "vitest";
import { loadFixture, relErrF, seedA } from "../test/fixtures.js";
import { expmInto } from "./expm.js";
import { expmvInto, expmvTimesInto } from "./expmv.js";
import { ExpmWorkspace } from "./workspace.js";

interface ExpmvCase {
  name: string;
  n: number;
  A: number[];
  v: number[];
  t?: number;
  y?: number[];
  times?: number[];
  Y?: number[];
}
const cases = loadFixture<ExpmvCase[]>("expmv.json");

function expmTimesV(n: number, t: number, A: Float64Array, v: Float64Array): Float64Array {
  const X = new Float64Array(n * n);
  expmInto(
    n,
    A.map((a) => t * a),
    X,
    new ExpmWorkspace(n),
  );
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[i] += X[i * n + j] * v[j];
  return y;
}

describe("expmv", () => {
  for (const c of cases) {
    test(`${c.name}: vs scipy expm_multiply and vs expm(tA)·v`, () => {
      const A = Float64Array.from(c.A);
      const v = Float64Array.from(c.v);
      const ws = new ExpmWorkspace(c.n);
      if (c.t !== undefined) {
        const y = new Float64Array(c.n);
        expmvInto(c.n, c.t, A, v, y, ws);
        // Truncation tol u = 2⁻⁵³ per step; ‖tA‖ ≤ 15 here so the rounding growth of the Taylor
        // steps stays below ~1e-14 relative; 1e-12 covers both methods' errors with margin.
        expect(relErrF(y, c.y!)).toBeLessThanOrEqual(1e-12);
        expect(relErrF(y, expmTimesV(c.n, c.t, A, v))).toBeLessThanOrEqual(1e-12);
      } else {
        const T = c.times!.length;
        const Y = new Float64Array(T * c.n);
        expmvTimesInto(c.n, c.times!, A, v, Y, ws);
        for (let k = 0; k < T; k++) {
          const row = Y.subarray(k * c.n, (k + 1) * c.n);
          // As above; stepping accumulates at most T = 6 steps' rounding.
          expect(relErrF(row, c.Y!.slice(k * c.n, (k + 1) * c.n))).toBeLessThanOrEqual(1e-12);
          expect(relErrF(row, expmTimesV(c.n, c.times![k], A, v))).toBeLessThanOrEqual(1e-12);
        }
      }
    });
  }

  test("seed A(P) at t = 1, 3 and at large ‖tA‖ (norm estimates path): vs expm(tA)·v", () => {
    const A = seedA();
    const n = 100;
    const v = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const ws = new ExpmWorkspace(n);
    for (const t of [1, 3, 10]) {
      const y = new Float64Array(n);
      expmvInto(n, t, A, v, y, ws);
      // κ(exp, tA(P)) ≈ 5e2·t (expm-bank.json), so both routes agree to ≈ 10·κ·ε ≤ 1e-11.
      expect(relErrF(y, expmTimesV(n, t, A, v))).toBeLessThanOrEqual(1e-11);
    }
  });

  test("t = 0 returns v; out may alias v", () => {
    const v = Float64Array.of(1, 2);
    expmvInto(2, 0, Float64Array.of(1, 2, 3, 4), v, v, new ExpmWorkspace(2));
    expect(Array.from(v)).toEqual([1, 2]);
  });
});

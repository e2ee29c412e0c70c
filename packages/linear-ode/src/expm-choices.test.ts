// The degree m and squarings s that expm and expmFrechet choose, against scipy's implementations
// of the same algorithms (test/fixtures/expm-choices.json from scripts/gen-expm-choices.py), and
// the special paths (n = 1, the trace shift). A wrong θ comparison, η, norm estimate or ℓ
// correction mostly leaves exp(A) accurate — a higher degree or an extra squaring costs time, a
// lower one a few digits — so the accuracy tests alone let such bugs through (mutation testing
// found 110 surviving mutants in expm.ts); these tests pin the choices themselves.
import { describe, expect, test } from "vitest";
import { loadFixture } from "../test/fixtures.js";
import { expmInto, traceShift } from "./expm.js";
import { expmFrechetInto } from "./expm-frechet.js";
import { norm1 } from "./norms.js";
import { ExpmWorkspace } from "./workspace.js";

interface ChoiceCase {
  name: string;
  n: number;
  A: number[];
  mu: number;
  expm: { m: number; s: number };
  frechet: { m: number; s: number };
}
const { cases } = loadFixture<{ cases: ChoiceCase[] }>("expm-choices.json");

describe("expm and expmFrechet choose scipy's degree and squarings", () => {
  test.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const A = Float64Array.from(c.A);
    const n = c.n;
    const ws = new ExpmWorkspace(n);
    const X = new Float64Array(n * n);
    const info = expmInto(n, A, X, ws);
    // μ = tr(A)/n, summed in another order by numpy (pairwise): they differ by at most the
    // rounding of an n-term sum, γₙ·Σ|a_ii|/n ≤ 2·2⁻⁵³·Σ|a_ii| (Higham 2002, §4.2).
    let diag = 0;
    for (let i = 0; i < n; i++) diag += Math.abs(A[i * n + i]);
    const muTol = 2 * 2 ** -53 * diag;
    expect(Math.abs(info.mu - c.mu)).toBeLessThanOrEqual(muTol);
    expect({ m: info.m, s: info.s }).toEqual(c.expm);
    const E = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i + 1));
    const fr = expmFrechetInto(n, A, E, new Float64Array(n * n), new Float64Array(n * n), ws);
    expect(Math.abs(fr.mu - c.mu)).toBeLessThanOrEqual(muTol);
    expect({ m: fr.m, s: fr.s }).toEqual(c.frechet);
  });

  test("the bank reaches every degree and both squaring paths", () => {
    expect(new Set(cases.map((c) => c.expm.m))).toEqual(new Set([3, 5, 7, 9, 13]));
    expect(new Set(cases.map((c) => c.frechet.m))).toEqual(new Set([3, 5, 7, 9, 13]));
    expect(cases.some((c) => c.expm.s >= 8)).toBe(true);
    expect(cases.some((c) => c.mu !== 0)).toBe(true);
  });
});

describe("special paths", () => {
  test("1×1: exp(a), L = e^a·E, and the info says no scaling", () => {
    const ws = new ExpmWorkspace(1);
    const X = new Float64Array(1);
    expect(expmInto(1, Float64Array.of(0.7), X, ws)).toEqual({ m: 3, s: 0, mu: 0 });
    expect(X[0]).toBe(Math.exp(0.7));
    const L = new Float64Array(1);
    expect(expmFrechetInto(1, Float64Array.of(0.7), Float64Array.of(3), X, L, ws)).toEqual({
      m: 3,
      s: 0,
      mu: 0,
    });
    expect(X[0]).toBe(Math.exp(0.7));
    // L(a, e) = e^a·e for scalars; one multiplication: exact up to one rounding.
    expect(L[0]).toBe(Math.exp(0.7) * 3);
  });

  test("traceShift shifts only when it lowers ‖A‖₁ and cannot overflow, and leaves A as it found it otherwise", () => {
    const ws = new ExpmWorkspace(2);
    const shifts = (a: number[]) => {
      const A = Float64Array.from(a);
      const before = Float64Array.from(a);
      const mu = traceShift(2, A, norm1(2, A, ws.vecA), ws);
      // Shifted in place when μ ≠ 0, untouched otherwise.
      const expected = before.map((x, i) => (i === 0 || i === 3 ? x - mu : x));
      expect(Array.from(A)).toEqual(Array.from(expected));
      return mu;
    };
    expect(shifts([3, 1, 0.5, 5])).toBe(4); // ‖A‖₁ 6 → 2.5
    expect(shifts([0, 1, 1, 0])).toBe(0); // μ = 0
    expect(shifts([-600, 0, 0, -600])).toBe(0); // |μ| > 500: e^μ could under/overflow
    expect(shifts([1, 0, 0, -1])).toBe(0); // μ = 0 again (traceless)
    expect(shifts([0, 0, 10, 2])).toBe(0); // ‖A − I‖₁ = 11 > ‖A‖₁ = 10: no gain
    expect(shifts([0, 800, 0, 2])).toBe(0); // lowers 802 → 801, but e^801 would overflow
    expect(shifts([0, 600, 0, 2])).toBe(1); // lowers 602 → 601 ≤ 700
    expect(shifts([0, 699, 0, 2])).toBe(1); // lowers 701 → 700: still ≤ 700
    expect(shifts([0, 0, 1, 2])).toBe(0); // ‖A − I‖₁ = 2 = ‖A‖₁: no gain, no shift
  });

  test("c·I: the shift leaves zero, so exp(A) = e^c·I with no Padé step", () => {
    const X = new Float64Array(9);
    const A = Float64Array.of(2, 0, 0, 0, 2, 0, 0, 0, 2);
    expect(expmInto(3, A, X, new ExpmWorkspace(3))).toEqual({ m: 3, s: 0, mu: 2 });
    expect(Array.from(X)).toEqual([Math.exp(2), 0, 0, 0, Math.exp(2), 0, 0, 0, Math.exp(2)]);
  });

  test("a trace-shifted expmFrechet: X = exp(A) and L(A, I) = exp(A) in closed form", () => {
    // A = [[1, 2], [0, 3]]: μ = 2 lowers ‖A‖₁ from 5 to 3. exp(A) = [[e, (e³ − e)], [0, e³]]
    // (the (1,2) entry is 2·(e³ − e)/(3 − 1)); A commutes with I, so L(A, I) = exp(A).
    const n = 2;
    const A = Float64Array.of(1, 2, 0, 3);
    const X = new Float64Array(4);
    const L = new Float64Array(4);
    const info = expmFrechetInto(n, A, Float64Array.of(1, 0, 0, 1), X, L, new ExpmWorkspace(n));
    expect(info.mu).toBe(2);
    const e = Math.E;
    const want = [e, e ** 3 - e, 0, e ** 3];
    // κ(exp, A) is O(1) here: 10 ulps of the largest entry.
    for (let i = 0; i < 4; i++) {
      expect(Math.abs(X[i] - want[i])).toBeLessThanOrEqual(10 * 2 ** -52 * e ** 3);
      expect(Math.abs(L[i] - want[i])).toBeLessThanOrEqual(10 * 2 ** -52 * e ** 3);
    }
  });
});

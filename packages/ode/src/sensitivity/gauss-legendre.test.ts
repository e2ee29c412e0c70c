// The rules against exact integrals of monomials on [0, 1] (∫ x^k = 1/(k + 1)) and against
// the closed-form 3-point rule (nodes 1/2 ∓ √15/10, weights 5/18, 4/9, 5/18; A&S Table 25.4).
import { expect, test } from "vitest";
import { gaussLegendre } from "./gauss-legendre.js";

test("the 3-point rule has the closed-form nodes and weights", () => {
  const { nodes, weights } = gaussLegendre(3);
  const r = Math.sqrt(15) / 10;
  [0.5 - r, 0.5, 0.5 + r].forEach((x, i) => {
    expect(nodes[i]).toBeCloseTo(x, 15);
  });
  [5 / 18, 4 / 9, 5 / 18].forEach((w, i) => {
    expect(weights[i]).toBeCloseTo(w, 15);
  });
});

test.each([1, 2, 4, 6, 8, 12])("the %i-point rule integrates x^k exactly for k ≤ 2m − 1", (m) => {
  const { nodes, weights } = gaussLegendre(m);
  for (let k = 0; k <= 2 * m - 1; k++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += weights[i] * nodes[i] ** k;
    // Each term is ≤ 1 and the sum has m terms: rounding ≤ m·ε.
    expect(Math.abs(s - 1 / (k + 1))).toBeLessThan(4 * m * Number.EPSILON);
  }
  // and not beyond: the error for f = x^(2m) is (m!)⁴/((2m+1)·((2m)!)³)·f^(2m) with f^(2m) = (2m)!
  // (A&S 25.4.30 on [0, 1]),
  // measurable above rounding for small m.
  if (m <= 6) {
    let s = 0;
    for (let i = 0; i < m; i++) s += weights[i] * nodes[i] ** (2 * m);
    const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
    const expected = fact(m) ** 4 / ((2 * m + 1) * fact(2 * m) ** 2);
    expect(Math.abs(1 / (2 * m + 1) - s) / expected).toBeCloseTo(1, 6);
  }
});

test("bad point counts are rejected", () => {
  expect(() => gaussLegendre(0)).toThrow(/from 1 to 64/);
  expect(() => gaussLegendre(2.5)).toThrow(/whole number/);
});

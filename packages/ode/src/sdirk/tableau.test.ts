import { describe, expect, test } from "vitest";
import { InvalidTableauError } from "../errors.js";
import { trbdf2 } from "../solvers/trbdf2.js";
import { satisfiedOrder } from "../tableau/order-conditions.js";
import { sdirkStability, sdirkTableau } from "./tableau.js";

const g = 2 - Math.SQRT2;

/**
 * TR-BDF2's stability function from its two-step description (Bank et al. 1985), not from the
 * tableau: a trapezoidal step to γh, y_γ = (1 + γz/2)/(1 − γz/2)·y₀, then the BDF2 formula on
 * t, t + γh, t + h: (1 − (1 − γ)/(2 − γ)·z)·y₁ = (y_γ − (1 − γ)²y₀)/(γ(2 − γ)).
 */
function twoStepR(z: number): number {
  const yg = (1 + (g * z) / 2) / (1 - (g * z) / 2);
  return (yg - (1 - g) ** 2) / (g * (2 - g)) / (1 - ((1 - g) / (2 - g)) * z);
}

describe("TRBDF2's tableau", () => {
  const tab = trbdf2.tableau;
  const s = tab.stages;
  const A = (i: number, j: number) => tab.a[i * s + j];
  const c = Array.from(tab.c);
  const bHat = Array.from(tab.b, (v, i) => v - tab.bErr[i]);

  test("the diagonal is γ/2 = 1 − √2/2 and the stages are TR to γh, then BDF2 to h", () => {
    expect(tab.gamma).toBeCloseTo(1 - Math.SQRT2 / 2, 15);
    expect(c).toEqual([0, g, 1]);
    // The TR stage: Y₂ = y₀ + (γh/2)(f₀ + f₂).
    expect(A(1, 0)).toBeCloseTo(g / 2, 15);
    expect(A(1, 1)).toBeCloseTo(g / 2, 15);
  });

  test("order 2 and embedded order 3 by the hand-written conditions (b·c = 1/2; b̂·c² = 1/3, b̂·Ac = 1/6)", () => {
    const dot = (w: number[], v: number[]) => w.reduce((acc, x, i) => acc + x * v[i], 0);
    const b = Array.from(tab.b);
    const Ac = [0, 1, 2].map((i) => A(i, 0) * c[0] + A(i, 1) * c[1] + A(i, 2) * c[2]);
    expect(dot(b, [1, 1, 1])).toBeCloseTo(1, 15);
    expect(dot(b, c)).toBeCloseTo(1 / 2, 15);
    // b is only order 2: b·c² ≠ 1/3.
    expect(
      Math.abs(
        dot(
          b,
          c.map((x) => x * x),
        ) -
          1 / 3,
      ),
    ).toBeGreaterThan(1e-3);
    expect(dot(bHat, [1, 1, 1])).toBeCloseTo(1, 15);
    expect(dot(bHat, c)).toBeCloseTo(1 / 2, 15);
    expect(
      dot(
        bHat,
        c.map((x) => x * x),
      ),
    ).toBeCloseTo(1 / 3, 15);
    expect(dot(bHat, Ac)).toBeCloseTo(1 / 6, 15);
    // The rooted-tree code on the full A (diagonal included) agrees.
    expect(satisfiedOrder(tab.a, s, tab.b, 4)).toBe(2);
    expect(satisfiedOrder(tab.a, s, bHat, 4)).toBe(3);
  });

  test("R(z) equals the two-step TR + BDF2 stability function, is ≤ 1 on iℝ and vanishes at −∞", () => {
    for (const z of [-1e6, -1e3, -10, -1, -0.1, 0.5]) {
      const [re, im] = sdirkStability(tab, z, 0);
      expect(im).toBe(0);
      expect(Math.abs(re - twoStepR(z))).toBeLessThan(1e-12 * (1 + Math.abs(z)));
    }
    for (let k = -12; k <= 32; k++) {
      const [re, im] = sdirkStability(tab, 0, 10 ** (k / 4));
      expect(Math.hypot(re, im)).toBeLessThanOrEqual(1 + 1e-12);
    }
    expect(Math.abs(twoStepR(-1e12))).toBeLessThan(1e-11);
  });

  test("the dense output is the quadratic through y₀, Y₂ and y₁ (weights at θ = γ and θ = 1)", () => {
    const { coeffs, degree } = trbdf2.dense;
    const w = (i: number, th: number) => coeffs[i * degree] * th + coeffs[i * degree + 1] * th * th;
    for (let i = 0; i < 3; i++) {
      expect(w(i, g)).toBeCloseTo(A(1, i), 14);
      expect(w(i, 1)).toBeCloseTo(tab.b[i], 14);
    }
  });
});

describe("sdirkTableau validation", () => {
  const ok = {
    c: [0, 1],
    a: [[0], [0.5, 0.5]],
    b: [0.5, 0.5],
    bErr: [0.5, -0.5],
  };
  test("the trapezoidal rule as an ESDIRK is accepted", () => {
    expect(sdirkTableau(ok).gamma).toBe(0.5);
  });
  test.each([
    ["an implicit first stage", { ...ok, a: [[0.5], [0.5, 0.5]] }, /first stage must be explicit/],
    [
      "two diagonals",
      { ...ok, c: [0, 0.6, 1], a: [[0], [0.3, 0.3], [0.2, 0.4, 0.4]], b: [0.2, 0.4, 0.4], bErr: [0, 0, 0] },
      /diagonal γ = 0.3 .*a33 = 0.4/,
    ],
    ["a row sum off its node", { ...ok, c: [0, 0.9] }, /row 2 of A sums to 1 but c2 = 0.9/],
    ["Σ b ≠ 1", { ...ok, b: [0.5, 0.6] }, /Σ b/],
    ["Σ bErr ≠ 0", { ...ok, bErr: [0.5, 0.5] }, /Σ bErr/],
    ["a method that is not stiffly accurate", { ...ok, b: [0.25, 0.75] }, /stiffly accurate/],
    ["a row of the wrong length", { ...ok, a: [[0], [0.5]] }, /row 2 of A must have 2 entries/],
    [
      "a predictor reaching its own stage",
      { ...ok, predict: [[1, 1]] },
      /predict may weight only the 1 earlier/,
    ],
  ] as const)("%s is a typed error", (_name, spec, message) => {
    expect(() => sdirkTableau(spec)).toThrow(InvalidTableauError);
    expect(() => sdirkTableau(spec)).toThrow(message);
  });
});

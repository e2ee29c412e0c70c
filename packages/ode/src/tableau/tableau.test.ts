import { describe, expect, test } from "vitest";
import { InvalidTableauError } from "../errors.js";
import { dp5 } from "../solvers/dp5.js";
import { vern7 } from "../solvers/vern7.js";
import { butcherTableau } from "./butcher-tableau.js";
import { orderConditionResiduals, satisfiedOrder } from "./order-conditions.js";
import { treesOfOrder } from "./rooted-trees.js";

describe("rooted trees", () => {
  test("counts match OEIS A000081 up to order 8", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((p) => treesOfOrder(p).length)).toEqual([1, 1, 2, 4, 9, 20, 48, 115]);
  });
  test("density γ of the order-3 trees is 3 (bushy) and 6 (tall)", () => {
    expect(
      treesOfOrder(3)
        .map((t) => t.gamma)
        .sort(),
    ).toEqual([3, 6]);
  });
});

describe("butcherTableau validation", () => {
  test("row-sum violation is a typed error naming the row", () => {
    expect(() => butcherTableau({ c: [0, 0.5], a: [[0.4]], b: [0, 1] })).toThrow(InvalidTableauError);
    expect(() => butcherTableau({ c: [0, 0.5], a: [[0.4]], b: [0, 1] })).toThrow(/row 2/);
  });
  test("Σ b ≠ 1 and Σ bErr ≠ 0 are rejected", () => {
    expect(() => butcherTableau({ c: [0, 0.5], a: [[0.5]], b: [0, 0.9] })).toThrow(/Σ b/);
    expect(() => butcherTableau({ c: [0, 0.5], a: [[0.5]], b: [0, 1], bErr: [0.1, 0] })).toThrow(/Σ bErr/);
  });
  test("FSAL is derived from the last row", () => {
    expect(dp5.tableau.fsal).toBe(true);
    expect(vern7.tableau.fsal).toBe(false);
    // Vern7: 10 stages + end stage + 5 extra dense-output stages.
    expect(vern7.tableau.totalStages).toBe(16);
  });
});

describe("order conditions detect a wrong digit", () => {
  test("perturbing one DP5 coefficient in the 8th digit breaks order 5", () => {
    const t = dp5.tableau;
    const a = Float64Array.from(t.a);
    a[4 * t.totalStages + 2] *= 1 + 1e-8;
    expect(satisfiedOrder(t.a, t.totalStages, t.b, 6)).toBe(5);
    expect(satisfiedOrder(a, t.totalStages, t.b, 6)).toBeLessThan(5);
  });
  test("residuals are listed per tree", () => {
    const t = dp5.tableau;
    const r = orderConditionResiduals(t.a, t.totalStages, t.b, 5);
    expect(r).toHaveLength(1 + 1 + 2 + 4 + 9);
    // Double rounding of rationals: residuals are a few ulps.
    expect(Math.max(...r.map((x) => Math.abs(x.residual)))).toBeLessThan(1e-14);
  });
});

/**
 * Per-method controller defaults: DP5 steps with the PI parameters of Hairer's DOPRI5 code
 * (BETA = 0.04, EXPO1 = 0.2 − 0.75·BETA; dopri5.f), other methods with the generic
 * 0.7/k, 0.4/k (Hairer–Wanner II §IV.2), and a user's `controller` fields override both.
 */
import { describe, expect, test } from "vitest";
import { resolveOptions } from "../options.js";
import { DP5 } from "../solvers/dp5.js";
import { Tsit5 } from "../solvers/tsit5.js";

describe("controller defaults", () => {
  test("DP5 takes DOPRI5's β₁ = 0.17, β₂ = 0.04", () => {
    const c = resolveOptions({}, 2, 0, 1, DP5()).controller;
    // 0.2 − 0.75·0.04 = 0.17 up to one rounding of the subtraction.
    expect(c.beta1).toBeCloseTo(0.17, 15);
    expect(c.beta2).toBe(0.04);
    expect([c.safety, c.qmin, c.qmax]).toEqual([0.9, 0.2, 10]);
  });

  test("Tsit5 keeps the generic 0.7/k, 0.4/k with k = 5", () => {
    const c = resolveOptions({}, 2, 0, 1, Tsit5()).controller;
    expect([c.beta1, c.beta2]).toEqual([0.7 / 5, 0.4 / 5]);
  });

  test("a user's fields override the method's defaults field by field", () => {
    const c = resolveOptions({ controller: { beta2: 0 } }, 2, 0, 1, DP5()).controller;
    expect(c.beta2).toBe(0);
    expect(c.beta1).toBeCloseTo(0.17, 15);
  });
});

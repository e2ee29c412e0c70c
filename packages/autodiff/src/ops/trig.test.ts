// sin and cos against their closed forms: values at multiples of π/2, derivatives cos and −sin,
// and sin² + cos² = 1 whose gradient must vanish (the two VJPs cancel exactly in exact
// arithmetic). The op suite (op-suite.test.ts) covers the dot-product, fan-out, accumulate and
// compiled = eager checks.
import { describe, expect, test } from "vitest";
import { grad } from "../grad.js";
import { tensor } from "../tensor.js";
import { add, cos, sin, square, sum } from "./index.js";

const xs = [0, Math.PI / 6, Math.PI / 2, Math.PI, -2.5, 7.25];

describe("sin and cos", () => {
  test("values are Math.sin and Math.cos entrywise, for every shape", () => {
    expect(sin(tensor(0)).item()).toBe(0);
    expect(cos(tensor(0)).item()).toBe(1);
    expect(Array.from(sin(tensor(xs)).data)).toEqual(xs.map(Math.sin));
    expect(cos(tensor([xs, xs.map((x) => -x)])).toArray()).toEqual([
      xs.map(Math.cos),
      xs.map((x) => Math.cos(-x)),
    ]);
  });

  test("d/dx sin x = cos x and d/dx cos x = −sin x, bit for bit", () => {
    // The cotangent 1 times the closed form, added into a zeroed buffer (so 0 − sin 0 = +0).
    expect(Array.from(grad((x) => sum(sin(x)))(tensor(xs)).data)).toEqual(xs.map((x) => 0 + Math.cos(x)));
    expect(Array.from(grad((x) => sum(cos(x)))(tensor(xs)).data)).toEqual(xs.map((x) => 0 - Math.sin(x)));
  });

  test("the gradient of sin² + cos² vanishes", () => {
    const g = grad((x) => sum(add(square(sin(x)), square(cos(x)))))(tensor(xs));
    // 2 sin·cos − 2 cos·sin, each term O(1): rounding leaves at most a few ulps (bound 1e-15).
    for (const v of g.data) expect(Math.abs(v)).toBeLessThan(1e-15);
  });
});

/**
 * The op this package registers, "nn.dense", through @udekit/autodiff/testing's op suite
 * (dot-product test against central differences, fan-out, aliased inputs, its VJP adding into
 * pre-filled gradients, compiled = eager), and a Dense layer used twice with one set of
 * parameters against central differences: a rule that overwrites instead of adding loses one
 * use's contribution (analytic 3 vs numeric 6 was seen with such a bug).
 *
 * Tolerances: the suite's defaults (see @udekit/autodiff/testing) and gradcheck's (eps = 1e-6
 * central differences on O(1) smooth functions: truncation and rounding ~1e-10, rtol 1e-6).
 */
import { add, gradcheck, type Tensor, tensor } from "@udekit/autodiff";
import { checkOp } from "@udekit/autodiff/testing";
import { describe, expect, test } from "vitest";
import { flatten } from "../params.js";
import { rng } from "../rng.js";
import { denseOp } from "./dense-op.js";
import { apply, Dense, setup } from "./index.js";

/** Uniform numbers in (−1, 1) from a 32-bit LCG. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}
const u = lcg(2024);
const rand = (shape: number[]) =>
  tensor(
    Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => u()),
    shape,
  );

describe("op suite: nn.dense", () => {
  test.each([
    ["batch [4, 3], W [5, 3], bias", [rand([4, 3]), rand([5, 3]), rand([5])]],
    ["batch [1, 3], W [2, 3], bias", [rand([1, 3]), rand([2, 3]), rand([2])]],
    ["batch [4, 3], W [5, 3], no bias", [rand([4, 3]), rand([5, 3])]],
    // in = out: x and b share a shape, so the suite also binds both to one tensor.
    ["vector [3], W [3, 3], bias", [rand([3]), rand([3, 3]), rand([3])]],
  ] as [string, Tensor[]][])("%s", (_, inputs) => {
    const report = checkOp(denseOp, inputs, undefined);
    expect(report.failures).toEqual([]);
  });
});

describe("a Dense layer used twice", () => {
  // Both uses read the same weight and bias tensors (views of one flat vector p), so their
  // gradients are the sums of two contributions; x feeds both uses too.
  test.each([
    ["y = d(d(x)) (composition)", (f: (x: Tensor) => Tensor, x: Tensor) => f(f(x))],
    ["y = d(x) + d(x) (sum)", (f: (x: Tensor) => Tensor, x: Tensor) => add(f(x), f(x))],
  ])("%s: gradients of x, weight and bias against central differences", (_, use) => {
    const model = Dense(3, 3, { activation: "tanh" });
    const { ps, st } = setup(rng(5), model);
    const { vector, unflatten } = flatten(ps);
    // Random parameters, not the initial ones (biases start at 0 and would hide bias bugs).
    const p = tensor(Float64Array.from(vector, () => u()));
    const x = rand([2, 3]);
    const r = gradcheck(
      (xt: Tensor, pt: Tensor) => {
        const params = unflatten(pt);
        return use((h) => apply(model, h, params, st)[0], xt);
      },
      [x, p],
    );
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });
});

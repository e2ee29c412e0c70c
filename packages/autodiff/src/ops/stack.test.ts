// stack / unstack: values (they are inverses), and every shape check with its message. Their
// VJPs, fan-out and compiled = eager are covered by the op suite (op-suite.test.ts).
import { describe, expect, test } from "vitest";
import { ShapeError } from "../errors.js";
import { grad } from "../grad.js";
import { Tensor, tensor } from "../tensor.js";
import { mul, square, sub, sum } from "./index.js";
import { stack } from "./stack.js";
import { unstack } from "./unstack.js";

describe("values", () => {
  test("a vector's entries are scalars; stack puts them back", () => {
    const u = tensor([2, -3, 5]);
    const parts = unstack(u);
    expect(parts.map((p) => p.shape)).toEqual([[], [], []]);
    expect(parts.map((p) => p.item())).toEqual([2, -3, 5]);
    expect(Array.from(stack(parts).data)).toEqual([2, -3, 5]);
  });
  test("a matrix's rows (axis 0) and columns (axis 1); stack along the same axis is the inverse", () => {
    const m = new Tensor(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(unstack(m, 0).map((r) => Array.from(r.data))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(unstack(m, 1).map((c) => Array.from(c.data))).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    for (const axis of [0, 1]) {
      const back = stack(unstack(m, axis), axis);
      expect(back.shape).toEqual([2, 3]);
      expect(Array.from(back.data)).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });
  test("Van der Pol in three lines: the gradient of a scalar function of named states", () => {
    // f(u) = Σ [y, μ((1 − x²)y − x)]; ∂/∂x = μ(−2xy − 1), ∂/∂y = 1 + μ(1 − x²).
    const mu = 3;
    const f = (u: Tensor) => {
      const [x, y] = unstack(u);
      return sum(stack([y, mul(mu, sub(mul(sub(1, square(x)), y), x))]));
    };
    const g = grad(f)(tensor([0.5, 2]));
    expect(Array.from(g.data)).toEqual([mu * (-2 * 0.5 * 2 - 1), 1 + mu * (1 - 0.25)]);
  });
});

describe("shape checks", () => {
  test.each([
    ["no tensors", () => stack([]), "stack: needs at least one tensor, e.g. stack([x, y])."],
    [
      "different shapes",
      () => stack([tensor([1, 2]), tensor([1, 2, 3])]),
      "stack: every tensor must have the same shape; got [2], [3]. Reshape them alike (a [1] vector to a scalar: unstack(v)[0]).",
    ],
    [
      "matrices",
      () => stack([new Tensor(new Float64Array(4), [2, 2])]),
      "stack: stacks scalars (into a vector) or vectors (into a matrix); got shape [2, 2]. Concatenate matrices with concat.",
    ],
    [
      "scalars along axis 1",
      () => stack([tensor(1), tensor(2)], 1),
      "stack: axis 1 is not valid for scalars (axis 0 only).",
    ],
    [
      "vectors along axis 2",
      () => stack([tensor([1]), tensor([2])], 2),
      "stack: axis 2 is not valid for vectors (axis 0: rows, 1: columns).",
    ],
    [
      "a scalar",
      () => unstack(tensor(1)),
      "unstack: a scalar has no entries to unstack; pass a vector or a matrix.",
    ],
    [
      "a vector along axis 1",
      () => unstack(tensor([1, 2]), 1),
      "unstack: axis 1 is not valid for shape [2]; use axis 0 (entries).",
    ],
    [
      "a matrix along axis 2",
      () => unstack(new Tensor(new Float64Array(4), [2, 2]), 2),
      "unstack: axis 2 is not valid for shape [2, 2]; use axis 0 (rows) or 1 (columns).",
    ],
  ])("%s", (_n, make, message) => {
    expect(make).toThrow(ShapeError);
    expect(make).toThrow(message);
  });
});

import { describe, expect, test } from "vitest";
import { ShapeError } from "./errors.js";
import { fromRows, ones, scalar, Tensor, tensor, zeros } from "./tensor.js";

describe("tensor construction", () => {
  test("numbers, flat and nested arrays infer their shapes", () => {
    expect(tensor(3).shape).toEqual([]);
    expect(tensor(3).item()).toBe(3);
    expect(tensor([1, 2, 3]).shape).toEqual([3]);
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(m.shape).toEqual([2, 3]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(tensor([1, 2, 3, 4], [2, 2]).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  test("a Float64Array is shared, not copied", () => {
    const d = Float64Array.of(1, 2, 3, 4);
    const t = tensor(d, [2, 2]);
    d[0] = 9;
    expect(t.data[0]).toBe(9);
    expect(t.data).toBe(d);
  });

  test("zeros, ones, scalar, fromRows", () => {
    expect(Array.from(zeros([2, 2]).data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(ones([3]).data)).toEqual([1, 1, 1]);
    expect(scalar(2.5).shape).toEqual([]);
    expect(fromRows([[1], [2]]).shape).toEqual([2, 1]);
    expect(fromRows([]).shape).toEqual([0, 0]);
  });

  test("bad shapes are ShapeErrors that say what to do", () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/data has 3 entries but shape \[2, 2\] needs 4/);
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => new Tensor(new Float64Array(8), [2, 2, 2])).toThrow(
      /rank 3; udekit tensors have rank 0, 1 or 2/,
    );
    expect(() => zeros([-1])).toThrow(/not a non-negative integer/);
    expect(() => tensor([1, 2]).item()).toThrow(/has 2 entries, not 1/);
  });
});

// Every shape and argument check of the ops, one condition at a time: each clause of an `a || b
// || c` test has a case where it alone is true, with the typed error and its message. Mutation
// testing found these checks unexercised (concat, diag, diagonal, slice, scale, pow, matmul,
// matvec): a check deleted or weakened there left every test green.
import { describe, expect, test } from "vitest";
import { ArgumentError, ShapeError } from "../errors.js";
import { type Tensor, tensor } from "../tensor.js";
import { concat, diag, diagonal, matmul, matvec, mean, pow, reshape, scale, slice, sum } from "./index.js";
import { unstackOp } from "./unstack.js";

const v2 = tensor([1, 2]);
const v3 = tensor([1, 2, 3]);
const m22 = tensor([
  [1, 2],
  [3, 4],
]);
const m23 = tensor([
  [1, 2, 3],
  [4, 5, 6],
]);
const s = tensor(5);

describe("ops refuse bad shapes and arguments with a typed error that says what to do", () => {
  test.each([
    ["concat of nothing", () => concat([]), ShapeError, /^concat: needs at least one tensor\.$/],
    [
      "concat of scalars",
      () => concat([s, s]),
      ShapeError,
      /^concat: cannot concatenate shapes \[\], \[\] along axis 0\. .*reshape scalars to \[1\]/,
    ],
    [
      "concat of mixed ranks",
      () => concat([v2, m22]),
      ShapeError,
      /^concat: cannot concatenate shapes \[2\], \[2, 2\] along axis 0/,
    ],
    ["concat along a negative axis", () => concat([m22, m22], -1), ShapeError, /along axis -1\./],
    [
      "concat of vectors along axis 1",
      () => concat([v2, v3], 1),
      ShapeError,
      /^concat: cannot concatenate shapes \[2\], \[3\] along axis 1/,
    ],
    ["concat of matrices along axis 2", () => concat([m22, m22], 2), ShapeError, /along axis 2\./],
    [
      "concat with mismatched other axis",
      () => concat([m22, m23], 0),
      ShapeError,
      /^concat: shapes \[2, 2\], \[2, 3\] differ along axis 1, which must match to concatenate along axis 0\.$/,
    ],
    [
      "concat with mismatched rows along axis 1",
      () => concat([m22, tensor([[1, 2]])], 1),
      ShapeError,
      /differ along axis 0, which must match to concatenate along axis 1/,
    ],
    [
      "diag of a matrix",
      () => diag(m22),
      ShapeError,
      /^diag: expected a vector, got shape \[2, 2\]\. Use diagonal\(\)/,
    ],
    [
      "diagonal of a vector",
      () => diagonal(v2),
      ShapeError,
      /^diagonal: expected a square matrix, got shape \[2\]\.$/,
    ],
    [
      "diagonal of a non-square matrix",
      () => diagonal(m23),
      ShapeError,
      /^diagonal: expected a square matrix, got shape \[2, 3\]\.$/,
    ],
    ["slice of a scalar", () => slice(s, 0, 1), ShapeError, /^slice: cannot slice a scalar\./],
    [
      "slice with a fractional start",
      () => slice(v3, 0.5, 2),
      ShapeError,
      /^slice: range \[0\.5, 2\) is not inside 0…3 for shape \[3\]\. Use integers with 0 ≤ start ≤ end ≤ 3\.$/,
    ],
    ["slice with a fractional end", () => slice(v3, 0, 1.5), ShapeError, /range \[0, 1\.5\)/],
    ["slice with a negative start", () => slice(v3, -1, 2), ShapeError, /range \[-1, 2\)/],
    ["slice past the end", () => slice(v3, 1, 4), ShapeError, /range \[1, 4\) is not inside 0…3/],
    ["slice with start > end", () => slice(v3, 2, 1), ShapeError, /range \[2, 1\)/],
    [
      "scale by NaN",
      () => scale(v2, Number.NaN),
      ArgumentError,
      /^scale: alpha must be a number, got NaN\.$/,
    ],
    [
      "scale by a string",
      () => scale(v2, "2" as unknown as number),
      ArgumentError,
      /^scale: alpha must be a number, got 2\.$/,
    ],
    [
      "pow with a NaN exponent",
      () => pow(v2, Number.NaN),
      ArgumentError,
      /^pow: the exponent must be a number, got NaN\.$/,
    ],
    [
      "matmul of a vector",
      () => matmul(v2, m22),
      ShapeError,
      /^matmul: cannot multiply A \[2\] by B \[2, 2\]/,
    ],
    [
      "matmul by a vector",
      () => matmul(m22, v2),
      ShapeError,
      /^matmul: cannot multiply A \[2, 2\] by B \[2\]/,
    ],
    [
      "matmul with inner sizes that differ",
      () => matmul(m23, m23),
      ShapeError,
      /A's columns equal to B's rows.*Use matvec/,
    ],
    ["matvec of a vector", () => matvec(v2, v2), ShapeError, /^matvec: cannot multiply A \[2\] by x \[2\]/],
    [
      "matvec by a matrix",
      () => matvec(m22, m22),
      ShapeError,
      /^matvec: cannot multiply A \[2, 2\] by x \[2, 2\]/,
    ],
    [
      "matvec with a wrong length",
      () => matvec(m23, v2),
      ShapeError,
      /expected a matrix \[m, n\] and a vector \[n\]\. Check the vector's length/,
    ],
    [
      "reshape to another size",
      () => reshape(v3, [2, 2]),
      ShapeError,
      /^reshape: cannot reshape \[3\] \(3 entries\) to \[2, 2\] \(4 entries\)\. The sizes must be equal\.$/,
    ],
  ] as [string, () => Tensor, typeof Error, RegExp][])("%s", (_what, run, type, message) => {
    expect(run).toThrow(type);
    expect(run).toThrow(message);
  });

  test("the checks accept what they should (edges included)", () => {
    expect(concat([v2, v3]).shape).toEqual([5]);
    expect(concat([m22, m23], 1).shape).toEqual([2, 5]);
    expect(concat([m22, tensor([[7, 8]])], 0).shape).toEqual([3, 2]);
    expect(Array.from(concat([m22, tensor([[7, 8]])], 0).data)).toEqual([1, 2, 3, 4, 7, 8]);
    expect(Array.from(concat([m22, m23], 1).data)).toEqual([1, 2, 1, 2, 3, 3, 4, 4, 5, 6]);
    expect(diagonal(m22).shape).toEqual([2]);
    expect(Array.from(diagonal(m22).data)).toEqual([1, 4]);
    expect(slice(v3, 0, 3).shape).toEqual([3]);
    expect(slice(v3, 3, 3).shape).toEqual([0]);
    expect(slice(m23, 1, 2).shape).toEqual([1, 3]);
    expect(Array.from(slice(m23, 1, 2).data)).toEqual([4, 5, 6]);
    expect(Array.from(scale(v2, Number.POSITIVE_INFINITY).data)).toEqual([Infinity, Infinity]);
  });
});

// unstack(x) only asks for indices 0…count − 1; the op itself, applied through the registry with
// its attributes (as a user of getOp or defineOp-level code can), checks the index too.
describe("the unstack op's index check", () => {
  test.each([
    [3, "unstack: index 3 is outside 0…2 along axis 0 of [3]."],
    [-1, "unstack: index -1 is outside 0…2 along axis 0 of [3]."],
    [1.5, "unstack: index 1.5 is outside 0…2 along axis 0 of [3]."],
  ])("index %s", (index, message) => {
    expect(() => unstackOp([v3], { axis: 0, index })).toThrow(ShapeError);
    expect(() => unstackOp([v3], { axis: 0, index })).toThrow(message);
  });

  test("the last index of each axis is accepted", () => {
    expect(unstackOp([v3], { axis: 0, index: 2 }).item()).toBe(3);
    expect(Array.from(unstackOp([m23], { axis: 1, index: 2 }).data)).toEqual([3, 6]);
    expect(() => unstackOp([m23], { axis: 1, index: 3 })).toThrow(
      "unstack: index 3 is outside 0…2 along axis 1 of [2, 3].",
    );
  });
});

describe("sum and mean refuse an axis the shape lacks", () => {
  test.each([
    ["sum of a vector along axis 1", () => sum(v3, 1), "sum: axis 1 does not exist for shape [3]."],
    ["mean of a matrix along axis 2", () => mean(m23, 2), "mean: axis 2 does not exist for shape [2, 3]."],
    ["sum of a scalar along axis 0", () => sum(s, 0), "sum: axis 0 does not exist for shape []."],
  ])("%s", (_what, run, message) => {
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(message);
  });
});

import { tensor } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import {
  ExpmOverflowError,
  expm,
  expmFrechet,
  expmv,
  LinearOdeError,
  NonFiniteError,
  NotSquareError,
  SizeMismatchError,
  solveLinearOde,
  TimesError,
} from "./index.js";

const A = tensor([
  [1, 2],
  [3, 4],
]);
const v = tensor([1, 2]);

describe("bad input throws typed errors with fix-it messages", () => {
  test("non-square A", () => {
    const rect = tensor([[1, 2, 3]]);
    expect(() => expm(rect)).toThrow(NotSquareError);
    expect(() => expm(new Float64Array(3))).toThrow(/perfect square/);
    expect(() => expmv(1, rect, v)).toThrow(NotSquareError);
    expect(() => solveLinearOde(rect, v, [0, 1])).toThrow(/square n×n matrix/);
    expect(() => expmFrechet(rect, rect)).toThrow(LinearOdeError);
  });
  test("size mismatches", () => {
    expect(() => expmv(1, A, tensor([1, 2, 3]))).toThrow(SizeMismatchError);
    expect(() => solveLinearOde(A, tensor([1]), [0, 1])).toThrow(/as many entries as the matrix has rows/);
    expect(() => solveLinearOde(A, v, [0, 1], { b: tensor([1, 2, 3]) })).toThrow(SizeMismatchError);
    expect(() => expmFrechet(A, tensor([[1]]))).toThrow(SizeMismatchError);
  });
  test("non-finite entries", () => {
    const bad = tensor([
      [1, Number.NaN],
      [0, 1],
    ]);
    expect(() => expm(bad)).toThrow(NonFiniteError);
    expect(() => expm(bad)).toThrow(/NaN at flat index 1/);
    expect(() => expmv(1, A, tensor([Number.POSITIVE_INFINITY, 0]))).toThrow(NonFiniteError);
    expect(() => solveLinearOde(bad, v, [0, 1])).toThrow(NonFiniteError);
    expect(() => expm(Float64Array.of(Number.NaN))).toThrow(NonFiniteError);
  });
  test("times: empty, non-finite, non-increasing", () => {
    expect(() => solveLinearOde(A, v, [])).toThrow(TimesError);
    expect(() => solveLinearOde(A, v, [0, 2, 1])).toThrow(/not strictly increasing.*sort them/);
    expect(() => solveLinearOde(A, v, [0, 0])).toThrow(TimesError);
    expect(() => expmv([0, Number.NaN], A, v)).toThrow(/non-finite/);
    expect(() => expmv(Number.POSITIVE_INFINITY, A, v)).toThrow(TimesError);
    // The arguments in scipy's order (A, v): the message says the time comes first.
    expect(() => expmv(A as never, v as never, undefined as never)).toThrow(
      /t\) is a Tensor, not a time; expmv takes \(t, A, v\), time first, e\.g\. expmv\(1, A, v\)/,
    );
    expect(() => expmv(A as never, v as never, undefined as never)).toThrow(TimesError);
  });
  test("a result beyond double precision is an overflow error, never NaN or Infinity", () => {
    // e^1000 overflows; the squaring phase would turn Infinity·0 into NaN in exp(A)[0].
    const big = tensor([
      [1000, 0],
      [0, -1000],
    ]);
    expect(() => expm(big)).toThrow(ExpmOverflowError);
    expect(() => expm(big)).toThrow(/expm: the result overflows double precision \(entry 0 is /);
    expect(() => expm(Float64Array.of(710))).toThrow(/^expm: the result overflows .*entry 0 is Infinity/);
    // 710·I: no trace shift beyond |μ| = 500, so the Padé and squaring path overflows.
    expect(() =>
      expm(
        tensor([
          [710, 0],
          [0, 710],
        ]),
      ),
    ).toThrow(/^expm: the result overflows double precision \(entry 0 is Infinity/);
    expect(() => expmv(1, big, v)).toThrow(/^expmv: the result overflows/);
    expect(() => expmFrechet(big, A)).toThrow(/^expmFrechet: the result overflows/);
    expect(() => expmFrechet(Float64Array.of(710), Float64Array.of(1))).toThrow(/^expmFrechet: the result/);
    // exp(A) just fits (e^709 = 8.2e307) but L = e^709·E does not, for E = 10 (1×1 and 2×2).
    expect(() => expmFrechet(Float64Array.of(709), Float64Array.of(10))).toThrow(
      /^expmFrechet \(the derivative L\): the result overflows/,
    );
    expect(() =>
      expmFrechet(
        tensor([
          [709, 0],
          [0, 1],
        ]),
        tensor([
          [10, 0],
          [0, 10],
        ]),
      ),
    ).toThrow(
      /^expmFrechet \(the derivative L\): the result overflows double precision \(entry 0 is Infinity/,
    );
    expect(() => solveLinearOde(big, v, [0, 1])).toThrow(ExpmOverflowError);
    // Just below the limit the results are finite and right: e^709 = 8.2184e307.
    const edge = expm(
      tensor([
        [709, 0],
        [0, 1],
      ]),
    );
    expect(edge.data[0] / Math.exp(709)).toBeCloseTo(1, 12);
    expect(Array.from(expmv(1, A, v).data).every(Number.isFinite)).toBe(true);
    expect(Array.from(solveLinearOde(big, v, [0, 0.5]).data).every(Number.isFinite)).toBe(true);
  });
});

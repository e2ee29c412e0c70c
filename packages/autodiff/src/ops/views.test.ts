// Eager reshape and slice return views of their input's data (define-op.ts makeContext): no copy,
// the window the op's viewOf names, and cotangents unchanged. References: the input's own
// entries, and the VJPs of the same functions written with a copying op (a sum of a product).
import { expect, test } from "vitest";
import { grad } from "../grad.js";
import { tensor } from "../tensor.js";
import { mul, reshape, slice, sum } from "./index.js";

test("reshape and slice share their input's data: the window viewOf names, no copy", () => {
  const x = tensor(Float64Array.from({ length: 12 }, (_, i) => i + 1));
  const r = reshape(x, [3, 4]);
  expect(r.data).toBe(x.data);
  const s = slice(x, 5, 9);
  expect(s.data.buffer).toBe(x.data.buffer);
  expect(s.data.byteOffset).toBe(x.data.byteOffset + 5 * 8);
  expect(Array.from(s.data)).toEqual([6, 7, 8, 9]);
  // A slice of a slice of a reshape: still the same memory, at the summed offset.
  const ss = slice(reshape(s, [4]), 1, 3);
  expect(ss.data.byteOffset).toBe(x.data.byteOffset + 6 * 8);
  x.data[6] = 70;
  expect(ss.data[0]).toBe(70);
});

test("gradients through views are those of the copies they replace", () => {
  const x = tensor(Float64Array.from({ length: 10 }, (_, i) => Math.sin(i)));
  const g = grad((t) => sum(mul(slice(t, 2, 8), reshape(slice(t, 0, 6), [6]))))(x);
  const expected = new Float64Array(10);
  for (let i = 0; i < 6; i++) {
    expected[i + 2] += x.data[i];
    expected[i] += x.data[i + 2];
  }
  expect(Array.from(g.data)).toEqual(Array.from(expected));
});

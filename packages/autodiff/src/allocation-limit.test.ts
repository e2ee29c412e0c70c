// Tensors and op outputs sized from user input go through @udekit/kernels' per-array guard:
// a typed error naming the call and its shape, not a V8 heap crash (issue #21).
import { expect, test } from "vitest";
import { AllocationLimitError, matmul, ones, setAllocationLimit, zeros } from "./index.js";

test("zeros, ones and an op's output refuse arrays above the limit with the call and shape named", () => {
  expect(() => zeros([1e5, 1e5])).toThrow(AllocationLimitError);
  expect(() => zeros([1e5, 1e5])).toThrow(/zeros\(\[100000, 100000\]\) needs 80\.0 GB/);
  expect(() => ones([3e9])).toThrow(/ones\(\[3000000000\]\) needs 24\.0 GB/);
  expect(() => matmul(zeros([1e5, 1]), zeros([1, 1e5]))).toThrow(
    /matmul: its output of shape \[100000, 100000\] needs 80\.0 GB/,
  );
});

test("the limit is the kernels' one: lowering it refuses a small op output", () => {
  const previous = setAllocationLimit(8 * 100);
  try {
    expect(zeros([10, 10]).size).toBe(100);
    expect(() => matmul(zeros([11, 1]), zeros([1, 10]))).toThrow(AllocationLimitError);
  } finally {
    setAllocationLimit(previous);
  }
});

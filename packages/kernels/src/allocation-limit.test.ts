// The per-array size guard: sizes computed from user input that cannot fit are refused at once
// with a typed error that says what was asked, how much it needs and what to do (issue #21).
import { afterEach, expect, test } from "vitest";
import { allocationLimit, checkAllocation, setAllocationLimit } from "./allocation-limit.js";
import { AllocationLimitError, KernelShapeError, KernelsError } from "./errors.js";
import { allocEmptyF64, allocF64, allocI32, fillEmptyArraysWith } from "./memory.js";

afterEach(() => {
  setAllocationLimit(2 ** 31);
});

test("the default limit is 2 GiB per array, and arrays at or below it pass", () => {
  expect(allocationLimit()).toBe(2 ** 31);
  expect(() => checkAllocation(2 ** 28, "x")).not.toThrow();
  expect(() => checkAllocation(2 ** 28 + 1, "x")).toThrow(AllocationLimitError);
  expect(() => checkAllocation(2 ** 29, "y", 4)).not.toThrow();
  expect(() => checkAllocation(2 ** 29 + 1, "y", 4)).toThrow(AllocationLimitError);
});

test("an n = 100 000 matrix is refused before any allocation, with its size and a fix", () => {
  const start = performance.now();
  expect(() => allocF64(1e10)).toThrow(AllocationLimitError);
  expect(() => allocF64(1e10)).toThrow(/allocF64\(10000000000\) needs 80\.0 GB .*Fix: .*setAllocationLimit/);
  expect(() => allocI32(1e10)).toThrow(/needs 40\.0 GB/);
  // Refused, not attempted: a 80 GB allocation would take seconds to fail or crash the heap.
  expect(performance.now() - start).toBeLessThan(1000);
});

test("setAllocationLimit lowers and raises the limit, returns the previous one, and refuses nonsense", () => {
  expect(setAllocationLimit(8 * 1000)).toBe(2 ** 31);
  expect(() => allocF64(1001)).toThrow(AllocationLimitError);
  expect(allocF64(1000).length).toBe(1000);
  expect(setAllocationLimit(2 ** 32)).toBe(8000);
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    expect(() => setAllocationLimit(bad)).toThrow(/positive finite number of bytes/);
  }
});

test("a size that is not a whole number ≥ 0 is a KernelShapeError that names the call", () => {
  for (const bad of [-1, 1.5, Number.NaN]) {
    expect(() => allocF64(bad)).toThrow(KernelShapeError);
    expect(() => allocEmptyF64(bad)).toThrow(
      new RegExp(`allocEmptyF64\\(${bad}\\): an array's size must be a whole number`),
    );
    expect(() => allocI32(bad)).toThrow(KernelShapeError);
  }
  expect(allocEmptyF64(0).length).toBe(0);
});

test("fillEmptyArraysWith takes a number or undefined", () => {
  expect(() => fillEmptyArraysWith("NaN" as unknown as number)).toThrow(KernelsError);
  expect(() => fillEmptyArraysWith("NaN" as unknown as number)).toThrow(
    /a number \(e\.g\. NaN\) or undefined; got string/,
  );
});

import { expect, test } from "vitest";
import { defaultForwardSizes, fitPowerLaw, median, relativeDifference } from "./gradients.js";

test("fitPowerLaw recovers t = c·n^k exactly from noise-free data", () => {
  const ns = [16, 24, 32, 40];
  const [k, at100] = fitPowerLaw(
    ns,
    ns.map((n) => 0.002 * n ** 3.5),
    100,
  );
  expect(k).toBeCloseTo(3.5, 12);
  expect(at100 / (0.002 * 100 ** 3.5)).toBeCloseTo(1, 12);
});

test("default forward-mode sizes: four multiples of 4 below n, at most 40", () => {
  expect(defaultForwardSizes(100)).toEqual([16, 24, 32, 40]);
  for (const n of [12, 20, 48, 1000]) {
    const s = defaultForwardSizes(n);
    expect(s.every((k) => k % 4 === 0 && k < n && k <= 40)).toBe(true);
  }
});

test("median and relative difference", () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 2, 3])).toBe(2.5);
  expect(relativeDifference(Float64Array.of(1, 1), Float64Array.of(1, 0))).toBe(1);
});

import { expect, test } from "vitest";
import { powerLawFit } from "./fit.js";

test("powerLawFit recovers an exact power law", () => {
  const xs = [25, 50, 100, 200, 400];
  const fit = powerLawFit(
    xs,
    xs.map((x) => 3 * x ** 2.5),
  );
  // Exact data: the only error is rounding in log/exp (a few ulps of values ~10).
  expect(fit.exponent).toBeCloseTo(2.5, 12);
  expect(fit.coefficient).toBeCloseTo(3, 10);
  expect(fit.r2).toBeCloseTo(1, 12);
});

import { expect, test } from "vitest";
import { formatLoss, formatMs, formatSeconds, formatSetting, solveSettingsLabel } from "./format.js";
import { parseSolver } from "./options.js";

test("durations: ms below 10 s, s from 10 s, minutes from a minute", () => {
  expect(formatMs(15.64)).toBe("15.6 ms");
  expect(formatMs(282.4)).toBe("282 ms");
  expect(formatMs(9999)).toBe("9999 ms");
  expect(formatMs(10_000)).toBe("10.0 s");
  expect(formatMs(151_700)).toBe("2 min 32 s");
  expect(formatMs(Number.NaN)).toBe("—");
  expect(formatSeconds(9.62)).toBe("9.6 s");
  expect(formatSeconds(42.4)).toBe("42 s");
  expect(formatSeconds(185)).toBe("3 min 05 s");
  // 119.6 s is 2 minutes, not "1 min 60 s".
  expect(formatSeconds(119.6)).toBe("2 min 00 s");
});

test("losses: 6 digits; Infinity and NaN as such", () => {
  expect(formatLoss(26.61352)).toBe("26.6135");
  expect(formatLoss(Number.POSITIVE_INFINITY)).toBe("Infinity");
  expect(formatLoss(Number.NaN)).toBe("NaN");
});

test("settings in the report: durations, 6 significant digits, tolerances, lists", () => {
  // issue #21: the report showed gradient_table_s 4.9484860159999995.
  expect(formatSetting("gradient_table_s", 4.9484860159999995)).toBe("4.9 s");
  expect(formatSetting("time_budget_s", 60)).toBe("1 min 00 s");
  expect(formatSetting("lr", 0.01)).toBe("0.01");
  expect(formatSetting("x", 0.1 + 0.2)).toBe("0.3");
  expect(formatSetting("reltol", 1e-6)).toBe("1e-6");
  expect(formatSetting("iters", 300)).toBe("300");
  expect(formatSetting("times", [1, 2, 3])).toBe("1, 2, 3");
  expect(formatSetting("forward_sizes", [16, 24])).toBe("16, 24");
  expect(formatSetting("solver", "Tsit5")).toBe("Tsit5");
});

test("solve settings in headers: the tolerances of an adaptive solver, the dt of a fixed-step one", () => {
  const rk4 = { solver: parseSolver("RK4"), reltol: 1e-6, abstol: 1e-8, dt: 0.01 };
  expect(solveSettingsLabel(rk4)).toBe("RK4, dt 0.01");
  // With an adaptive solver the tolerances set the steps.
  const tsit5 = { ...rk4, solver: parseSolver("Tsit5") };
  expect(solveSettingsLabel(tsit5)).toBe("Tsit5, reltol 1e-6, abstol 1e-8");
});

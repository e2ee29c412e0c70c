import { expect, test } from "vitest";
import { OptionError } from "./errors.js";
import {
  closestName,
  parseInteger,
  parseMethod,
  parsePositive,
  parseSolver,
  parseTolerance,
} from "./options.js";

test("names: exact, case-insensitive, or an error suggesting the closest", () => {
  expect(parseMethod("Quadrature", false)).toBe("quadrature");
  expect(parseMethod("ALL", true)).toBe("all");
  expect(() => parseMethod("all", false)).toThrow(OptionError);
  expect(parseSolver("vern7").name).toBe("Vern7");
  expect(closestName("interpolatng", ["interpolating", "quadrature"])).toBe("interpolating");
  expect(closestName("zzz", ["interpolating", "quadrature"])).toBeUndefined();
});

test("numbers: ranges and whole numbers are enforced", () => {
  expect(parsePositive("--lr", "1e-3", "0.01")).toBe(1e-3);
  expect(() => parsePositive("--lr", "Infinity", "0.01")).toThrow(/finite number > 0/);
  expect(() => parsePositive("--lr", "0x10", "0.01")).toThrow(OptionError);
  expect(parseTolerance("--reltol", "1e-10", "1e-6")).toBe(1e-10);
  expect(() => parseTolerance("--reltol", "1", "1e-6")).toThrow(/below 1/);
  expect(parseInteger("--iters", "12", 1, "200")).toBe(12);
  expect(() => parseInteger("--iters", "1e3", 1, "200")).toThrow(/whole number/);
  expect(() => parseInteger("--repeat", "1001", 1, "5", 1000)).toThrow(/from 1 to 1000/);
});

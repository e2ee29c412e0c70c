import { afterEach, expect, test } from "vitest";
import { kernels, matvec, useBackend } from "./index.js";

afterEach(() => {
  useBackend("ts");
});

test("dispatching functions use the active backend", () => {
  useBackend("ts");
  expect(kernels().name).toBe("ts");
  const y = new Float64Array(2);
  matvec(2, 2, Float64Array.of(1, 2, 3, 4), Float64Array.of(1, 1), y, false);
  expect([...y]).toEqual([3, 7]);
});

test("an unknown backend is a clear error", () => {
  // @ts-expect-error deliberately invalid name
  expect(() => useBackend("gpu")).toThrow(/backend "gpu" is not available/);
});

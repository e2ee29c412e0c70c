import { afterEach, expect, test } from "vitest";
import {
  KernelsError,
  kernels,
  matvec,
  UnknownBackendError,
  useBackend,
  wasmSimdSupported,
} from "./index.js";

const initial = kernels().name;
afterEach(() => {
  useBackend(initial);
});

test("the wasm backend is chosen at load time where WebAssembly SIMD exists", () => {
  expect(initial).toBe(wasmSimdSupported() ? "wasm" : "ts");
});

test("dispatching functions use the active backend", () => {
  for (const name of ["ts", "wasm"] as const) {
    expect(useBackend(name)).toBeTypeOf("string");
    expect(kernels().name).toBe(name);
    const y = new Float64Array(2);
    matvec(2, 2, Float64Array.of(1, 2, 3, 4), Float64Array.of(1, 1), y, false);
    expect([...y]).toEqual([3, 7]);
  }
});

test("useBackend returns the previous backend's name", () => {
  useBackend("wasm");
  expect(useBackend("ts")).toBe("wasm");
  expect(useBackend("wasm")).toBe("ts");
});

test("an unknown backend is a clear error", () => {
  // @ts-expect-error deliberately invalid name
  expect(() => useBackend("gpu")).toThrow(/backend "gpu" is not available/);
  // @ts-expect-error deliberately invalid name
  expect(() => useBackend("gpu")).toThrow(UnknownBackendError);
  // @ts-expect-error deliberately invalid name
  expect(() => useBackend("gpu")).toThrow(KernelsError);
});

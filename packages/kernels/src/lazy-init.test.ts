// Importing @udekit/kernels instantiates nothing (the package declares "sideEffects": false):
// the wasm module is created by the first kernel call or arena allocation, and the stand-in
// wasmBackend then puts the real kernels in its own place. Each test loads fresh module
// instances (vi.resetModules), so "first" really is the first use in that instance.
import { expect, test, vi } from "vitest";
import { wasmSimdSupported } from "./simd-support.js";

/** Whether this module instance has instantiated the wasm kernels (a boolean: printing the instance would format its 64 MiB memory). */
const instantiated = (instance: { loadedWasmKernels(): unknown }) =>
  instance.loadedWasmKernels() !== undefined;

async function fresh() {
  vi.resetModules();
  const instance = await import("./wasm-instance.js");
  const k = await import("./index.js");
  return { instance, k };
}

test("import instantiates nothing; neither do freeArray and inWasmMemory; the first kernel call does", async () => {
  const { instance, k } = await fresh();
  expect(instantiated(instance)).toBe(false);
  expect(k.inWasmMemory(new Float64Array(4))).toBe(false);
  k.freeArray(new Float64Array(4)); // an ordinary array: a no-op, with or without the module
  expect(k.kernels().name).toBe(wasmSimdSupported() ? "wasm" : "ts");
  expect(instantiated(instance)).toBe(false);

  const y = new Float64Array(2);
  k.matvec(2, 2, Float64Array.of(1, 2, 3, 4), Float64Array.of(1, 1), y, false);
  expect([...y]).toEqual([3, 7]);
  if (!wasmSimdSupported()) return;
  expect(instantiated(instance)).toBe(true);
  const loaded = instance.loadedWasmKernels();
  // After the first call, dispatch and the exported wasmBackend reach the real kernels directly.
  expect(k.kernels()).toBe(loaded?.backend);
  expect(k.wasmBackend?.matvec).toBe(loaded?.backend.matvec);
  expect(k.wasmBackend?.luSolve).toBe(loaded?.backend.luSolve);
});

test("the first arena allocation instantiates the module; later kernel calls use it in place", async () => {
  const { instance, k } = await fresh();
  const A = k.allocF64From([2, 0, 0, 3]);
  if (!wasmSimdSupported()) {
    expect(instance.loadedWasmKernels() === null).toBe(true);
    return;
  }
  expect(instantiated(instance)).toBe(true);
  expect(k.inWasmMemory(A)).toBe(true);
  const stats = k.arenaStats();
  expect(stats.liveAllocations).toBe(1);
  const y = k.allocF64(2);
  k.matvec(2, 2, A, Float64Array.of(1, 1), y, false);
  expect([...y]).toEqual([2, 3]);
  k.freeArray(A);
  k.freeArray(y);
  expect(k.arenaStats().liveAllocations).toBe(0);
});

test('useBackend("wasm") before any call instantiates, and switching back and forth works', async () => {
  const { instance, k } = await fresh();
  if (!wasmSimdSupported()) {
    expect(() => k.useBackend("wasm")).toThrow(k.UnknownBackendError);
    return;
  }
  expect(k.useBackend("ts")).toBe("wasm");
  expect(instantiated(instance)).toBe(false);
  expect(k.useBackend("wasm")).toBe("ts");
  expect(instantiated(instance)).toBe(true);
  expect(k.kernels()).toBe(instance.loadedWasmKernels()?.backend);
});

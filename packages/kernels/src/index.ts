/**
 * @udekit/kernels — the one home of udekit's hot dense loops.
 *
 * Import the functions below (they dispatch to the active backend) or `kernels()` for the
 * backend object itself. At load time the WebAssembly SIMD backend is instantiated and made
 * active when the engine supports WebAssembly SIMD; otherwise the plain TypeScript backend runs.
 * `useBackend("ts" | "wasm")` switches (tests, benchmarks, debugging).
 *
 * `allocF64(n)` hands out Float64Arrays that live in the wasm backend's memory, which its kernels
 * use without copying; see README "Memory rules".
 */
import type { ArenaStats } from "./arena.js";
import type { KernelBackend } from "./backend.js";
import { UnknownBackendError } from "./errors.js";
import { tsBackend } from "./ts-backend.js";
import { createWasmKernels } from "./wasm-backend.js";

export type { ArenaStats } from "./arena.js";
export type { KernelBackend } from "./backend.js";
export { ArenaError, KernelShapeError, KernelsError, UnknownBackendError } from "./errors.js";
export { wasmSimdSupported } from "./simd-support.js";
export { tsBackend } from "./ts-backend.js";

const wasm = createWasmKernels();

/** The WebAssembly SIMD backend, or undefined where WebAssembly SIMD is unavailable. */
export const wasmBackend: KernelBackend | undefined = wasm?.backend;

let active: KernelBackend = wasm?.backend ?? tsBackend;
const registered = new Map<string, KernelBackend>([["ts", tsBackend]]);
if (wasm !== null) registered.set("wasm", wasm.backend);

/** The backend in use. */
export function kernels(): KernelBackend {
  return active;
}

/** Makes a backend available to `useBackend` under its name. */
export function registerBackend(backend: KernelBackend): void {
  registered.set(backend.name, backend);
}

/** Switches every kernel call to the named backend; returns the previous one's name. */
export function useBackend(name: KernelBackend["name"]): KernelBackend["name"] {
  const next = registered.get(name);
  if (next === undefined) {
    throw new UnknownBackendError(
      `@udekit/kernels: backend "${name}" is not available here (available: ${[...registered.keys()].join(", ")}). ` +
        `The "wasm" backend needs WebAssembly SIMD (Node ≥ 16.4, current browsers); use "ts" elsewhere.`,
    );
  }
  const previous = active.name;
  active = next;
  return previous;
}

/**
 * A zero-filled Float64Array of n entries in the wasm backend's memory, where its kernels use it
 * without copying. When the arena is full (or WebAssembly SIMD is unavailable) it is an ordinary
 * Float64Array instead: still correct, the wasm kernels then copy it in and out per call. The
 * array stays valid for the life of the program (the memory never grows); give it back with
 * `freeArray` when done, and do not use it afterwards.
 */
export function allocF64(n: number): Float64Array {
  return wasm?.arena.allocF64(n) ?? new Float64Array(n);
}

/** allocF64(values.length) filled with a copy of values. */
export function allocF64From(values: ArrayLike<number>): Float64Array {
  const a = allocF64(values.length);
  a.set(values);
  return a;
}

/** A zero-filled Int32Array of n entries in the wasm memory when there is room (e.g. LU pivots). */
export function allocI32(n: number): Int32Array {
  return wasm?.arena.allocI32(n) ?? new Int32Array(n);
}

/**
 * Returns an array from allocF64 / allocF64From / allocI32 to the arena; ordinary arrays are
 * ignored, so anything those functions returned may be passed. Throws ArenaError on a double
 * free or a subarray.
 */
export function freeArray(a: Float64Array | Int32Array): void {
  wasm?.arena.free(a);
}

/** True when a lives in the wasm backend's memory (kernel calls on it take the no-copy path). */
export function inWasmMemory(a: ArrayBufferView): boolean {
  return wasm?.arena.owns(a) ?? false;
}

/** Capacity and use of the arena (all zero where WebAssembly SIMD is unavailable). */
export function arenaStats(): ArenaStats {
  return wasm?.arena.stats() ?? { capacityBytes: 0, usedBytes: 0, largestFreeBytes: 0, liveAllocations: 0 };
}

export const matvec: KernelBackend["matvec"] = (m, n, A, x, y, acc) => active.matvec(m, n, A, x, y, acc);
export const matvecT: KernelBackend["matvecT"] = (m, n, A, x, y, acc) => active.matvecT(m, n, A, x, y, acc);
export const matmul: KernelBackend["matmul"] = (m, k, n, A, B, C, acc) =>
  active.matmul(m, k, n, A, B, C, acc);
export const matmulTN: KernelBackend["matmulTN"] = (m, k, n, A, B, C, acc) =>
  active.matmulTN(m, k, n, A, B, C, acc);
export const matmulNT: KernelBackend["matmulNT"] = (m, k, n, A, B, C, acc) =>
  active.matmulNT(m, k, n, A, B, C, acc);
export const axpy: KernelBackend["axpy"] = (n, alpha, x, y) => active.axpy(n, alpha, x, y);
export const scale: KernelBackend["scale"] = (n, alpha, x) => active.scale(n, alpha, x);
export const dot: KernelBackend["dot"] = (n, x, y) => active.dot(n, x, y);
export const ger: KernelBackend["ger"] = (m, n, alpha, x, y, A) => active.ger(m, n, alpha, x, y, A);
export const mulAdd: KernelBackend["mulAdd"] = (n, a, b, c) => active.mulAdd(n, a, b, c);
export const luFactor: KernelBackend["luFactor"] = (n, A, piv) => active.luFactor(n, A, piv);
export const luSolve: KernelBackend["luSolve"] = (n, LU, piv, b) => active.luSolve(n, LU, piv, b);

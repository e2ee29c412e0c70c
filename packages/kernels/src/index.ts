/**
 * @udekit/kernels — the one home of udekit's hot dense loops.
 *
 * Import the functions below (they dispatch to the active backend) or `kernels()` for the
 * backend object itself. Where the engine supports WebAssembly SIMD the WebAssembly backend is
 * active, instantiated on first use (the first kernel call or arena allocation), not on import;
 * otherwise the plain TypeScript backend runs. `useBackend("ts" | "wasm")` switches (tests,
 * benchmarks, debugging).
 *
 * `allocF64(n)` hands out Float64Arrays that live in the wasm backend's memory, which its kernels
 * use without copying; `allocOwnedF64(owner, n)` ties one to an owner's lifetime. See README
 * "Memory rules".
 */
import type { KernelBackend } from "./backend.js";
import { UnknownBackendError } from "./errors.js";
import { wasmSimdSupported } from "./simd-support.js";
import { tsBackend } from "./ts-backend.js";
import { wasmKernels } from "./wasm-instance.js";

export { allocationLimit, checkAllocation, setAllocationLimit } from "./allocation-limit.js";
export type { ArenaStats } from "./arena.js";
export type { KernelBackend } from "./backend.js";
export { clearBufferPool, giveBuffer, POOL_BYTES, takeBuffer, takeZeroed } from "./buffer-pool.js";
export { copyRange } from "./copy-range.js";
export {
  AllocationLimitError,
  ArenaError,
  KernelShapeError,
  KernelsError,
  UnknownBackendError,
} from "./errors.js";
export {
  allocEmptyF64,
  allocF64,
  allocF64From,
  allocI32,
  arenaStats,
  fillEmptyArraysWith,
  freeArray,
  inWasmMemory,
} from "./memory.js";
export { allocOwnedF64, allocOwnedI32, releaseOwned } from "./owned.js";
export { wasmSimdSupported } from "./simd-support.js";
export { fastTanh, tanhInto } from "./tanh.js";
export { tsBackend } from "./ts-backend.js";

type KernelName = Exclude<keyof KernelBackend, "name">;
const KERNEL_NAMES: readonly KernelName[] = [
  "matvec",
  "matvecT",
  "matmul",
  "matmulTN",
  "matmulNT",
  "axpy",
  "scale",
  "dot",
  "ger",
  "mul",
  "mulAdd",
  "allFinite",
  "luFactor",
  "luSolve",
];

/**
 * The wasm backend behind a stand-in whose kernels instantiate it at their first call, then
 * replace themselves with the real ones (so later calls through it cost nothing extra). If
 * instantiation fails although SIMD validates (e.g. a content-security policy forbids compiling
 * wasm), the stand-in runs the TypeScript loops.
 */
function lazyWasmBackend(): KernelBackend {
  const standIn: Record<string, unknown> = { name: "wasm" };
  for (const key of KERNEL_NAMES) {
    standIn[key] = (...args: unknown[]) => (loadWasm()[key] as (...a: unknown[]) => unknown)(...args);
  }
  return standIn as unknown as KernelBackend;
}

/** Instantiates the wasm backend (once) and puts it in the stand-in's place; returns it. */
function loadWasm(): KernelBackend {
  const real = wasmKernels()?.backend;
  const standIn = wasmBackend as unknown as Record<string, unknown>;
  for (const key of KERNEL_NAMES) standIn[key] = (real ?? tsBackend)[key];
  if (real === undefined) {
    registered.delete("wasm");
    if (active === wasmBackend) active = tsBackend;
    return tsBackend;
  }
  registered.set("wasm", real);
  if (active === wasmBackend) active = real;
  return real;
}

/**
 * The WebAssembly SIMD backend, or undefined where WebAssembly SIMD is unavailable. Its first
 * call instantiates the module.
 */
export const wasmBackend: KernelBackend | undefined = wasmSimdSupported() ? lazyWasmBackend() : undefined;

let active: KernelBackend = wasmBackend ?? tsBackend;
const registered = new Map<string, KernelBackend>([["ts", tsBackend]]);
if (wasmBackend !== undefined) registered.set("wasm", wasmBackend);

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
  // "wasm" is only available once the module instantiates: try now rather than fail at a later call.
  if (name === "wasm" && registered.get("wasm") === wasmBackend && wasmBackend !== undefined) loadWasm();
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
export const allFinite: KernelBackend["allFinite"] = (n, x) => active.allFinite(n, x);
export const mul: KernelBackend["mul"] = (n, a, b, out) => active.mul(n, a, b, out);
export const mulAdd: KernelBackend["mulAdd"] = (n, a, b, c) => active.mulAdd(n, a, b, c);
export const luFactor: KernelBackend["luFactor"] = (n, A, piv) => active.luFactor(n, A, piv);
export const luSolve: KernelBackend["luSolve"] = (n, LU, piv, b) => active.luSolve(n, LU, piv, b);

/**
 * The wasm backend's one instance per thread, created on first use rather than on import. The
 * package declares "sideEffects": false, and importing it should cost nothing: instantiating
 * reserves the module's 64 MiB memory (wasm-layout.ts) and compiles the embedded binary, which a
 * program that never calls a kernel (or tree-shakes them away) should not pay for.
 */
import { createWasmKernels, type WasmKernels } from "./wasm-backend.js";

/** undefined: not tried yet; null: WebAssembly SIMD unavailable or instantiation failed. */
let instance: WasmKernels | null | undefined;

/** The wasm kernels and their arena, instantiated now if this is the first use; null where they cannot run. */
export function wasmKernels(): WasmKernels | null {
  if (instance === undefined) instance = createWasmKernels();
  return instance;
}

/** The wasm kernels if some earlier call instantiated them (undefined if none did yet), without instantiating. */
export function loadedWasmKernels(): WasmKernels | null | undefined {
  return instance;
}

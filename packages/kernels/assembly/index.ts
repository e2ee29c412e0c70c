/**
 * Entry point of the WebAssembly SIMD kernels (compiled by scripts/build-wasm.mjs with the
 * AssemblyScript compiler into src/wasm-binary.ts). Every export takes byte offsets into the
 * imported memory `env.memory`; src/wasm-backend.ts wraps them behind the KernelBackend interface.
 */
export { luFactor, luSolve } from "./lu";
export { gemm, gemmWorkBytes } from "./matmul";
export { matvec, matvecT } from "./matvec";
export { allFinite, axpy, dot, ger, mul, mulAdd, scale } from "./vector";

/** Typed errors of @udekit/kernels: each message says what was wrong, what was expected and how to fix it. */

/** Base class of every error thrown by @udekit/kernels. */
export class KernelsError extends Error {
  override name = "KernelsError";
}

/** A dimension was not a non-negative integer, or an array is shorter than the dimensions require. */
export class KernelShapeError extends KernelsError {
  override name = "KernelShapeError";
}

/** `useBackend` was asked for a backend that is not registered (e.g. "wasm" where WebAssembly SIMD is missing). */
export class UnknownBackendError extends KernelsError {
  override name = "UnknownBackendError";
}

/** `freeArray` was given a view that is not a live arena allocation (double free, or a subarray). */
export class ArenaError extends KernelsError {
  override name = "ArenaError";
}

/**
 * One array would be larger than the allocation limit (`setAllocationLimit`): a size computed from
 * user input (n nodes → an n×n matrix) that the machine almost certainly cannot hold. Thrown
 * before allocating, instead of a JavaScript heap crash or minutes of swapping.
 */
export class AllocationLimitError extends KernelsError {
  override name = "AllocationLimitError";
}

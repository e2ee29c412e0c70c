/**
 * Arrays in the wasm backend's memory (its arena), where its kernels use them without copying;
 * see README "Memory rules". The first allocation instantiates the wasm backend (wasm-instance.ts).
 */

import { checkAllocation } from "./allocation-limit.js";
import type { ArenaStats } from "./arena.js";
import { giveBuffer, takeZeroed } from "./buffer-pool.js";
import { KernelsError } from "./errors.js";
import { loadedWasmKernels, wasmKernels } from "./wasm-instance.js";

/**
 * A zero-filled Float64Array of n entries in the wasm backend's memory, where its kernels use it
 * without copying. When the arena is full (or WebAssembly SIMD is unavailable) it is an ordinary
 * Float64Array instead (from the buffer pool when large): still correct, the wasm kernels then
 * copy it in and out per call. The
 * array stays valid for the life of the program (the memory never grows); give it back with
 * `freeArray` when done, and do not use it afterwards.
 */
export function allocF64(n: number): Float64Array {
  checkAllocation(n, () => `allocF64(${n})`);
  const inArena = wasmKernels()?.arena.allocF64(n);
  if (inArena != null) return inArena;
  // Too large for the arena (e.g. a solve's work arrays at n = 10⁶): from the buffer pool, so a
  // loop of solves reuses warm pages instead of faulting in fresh ones every time; freeArray
  // hands it back there.
  const a = takeZeroed(n);
  fromPool.add(a);
  return a;
}

/**
 * Like allocF64, but the entries are not zeroed (numpy's `empty`, torch's `empty`): they hold
 * whatever the memory held before. For work arrays every entry of which is written before it is
 * read — zero-filling one of 10⁶ entries costs about half a millisecond, more than some solves.
 */
export function allocEmptyF64(n: number): Float64Array {
  checkAllocation(n, () => `allocEmptyF64(${n})`);
  const inArena = wasmKernels()?.arena.allocF64(n, false);
  if (inArena != null) return emptyFill === undefined ? inArena : inArena.fill(emptyFill);
  // Arena full: the pool's arrays may be longer than n, and a view of one could not be freed.
  return allocF64(n);
}

let emptyFill: number | undefined;

/**
 * A debugging aid (glibc's MALLOC_PERTURB_): from now on allocEmptyF64 fills its arrays with
 * `value` — NaN makes any read of an entry before it was written show up in the results;
 * `undefined` turns it off again.
 */
export function fillEmptyArraysWith(value: number | undefined): void {
  if (value !== undefined && typeof value !== "number") {
    throw new KernelsError(
      `fillEmptyArraysWith: expected a number (e.g. NaN) or undefined; got ${typeof value}.`,
    );
  }
  emptyFill = value;
}

/** Ordinary arrays allocF64 handed out (arena overflow): freeArray returns them to the pool. */
const fromPool = new WeakSet<Float64Array>();

/** allocF64(values.length) filled with a copy of values. */
export function allocF64From(values: ArrayLike<number>): Float64Array {
  const a = allocF64(values.length);
  a.set(values);
  return a;
}

/** A zero-filled Int32Array of n entries in the wasm memory when there is room (e.g. LU pivots). */
export function allocI32(n: number): Int32Array {
  checkAllocation(n, () => `allocI32(${n})`, 4);
  return wasmKernels()?.arena.allocI32(n) ?? new Int32Array(n);
}

/**
 * Returns an array from allocF64 / allocF64From / allocI32 to the arena (or, for an ordinary
 * array allocF64 handed out, to the buffer pool); other ordinary arrays are ignored, so anything
 * those functions returned may be passed. Throws ArenaError on a double free or a subarray.
 */
export function freeArray(a: Float64Array | Int32Array): void {
  if (a instanceof Float64Array && fromPool.has(a)) {
    fromPool.delete(a);
    giveBuffer(a);
    return;
  }
  // Before the first allocation nothing can live in the arena: no need to instantiate.
  loadedWasmKernels()?.arena.free(a);
}

/** True when a lives in the wasm backend's memory (kernel calls on it take the no-copy path). */
export function inWasmMemory(a: ArrayBufferView): boolean {
  return loadedWasmKernels()?.arena.owns(a) ?? false;
}

/** Capacity and use of the arena (all zero where WebAssembly SIMD is unavailable). */
export function arenaStats(): ArenaStats {
  return (
    wasmKernels()?.arena.stats() ?? {
      capacityBytes: 0,
      usedBytes: 0,
      largestFreeBytes: 0,
      liveAllocations: 0,
    }
  );
}

/**
 * Layout of the wasm backend's WebAssembly.Memory. The memory is created at its final size and
 * never grown: growing a WebAssembly.Memory detaches its ArrayBuffer, which would turn every
 * Float64Array handed out by the arena into a zero-length view. A fixed size means no view ever
 * goes stale; when the arena is full, allocation falls back to ordinary Float64Arrays.
 *
 *   [0, 64 KiB)            reserved (the kernels module has no data segments; address 0 stays unused)
 *   [64 KiB, 16 MiB)       scratch: operands copied in for one call, matmul's packed panels
 *   [16 MiB, 64 MiB)       arena: allocF64 / allocI32
 *
 * Pages are committed lazily by the operating system, so untouched arena space costs address
 * space, not memory.
 */

export const PAGE_BYTES = 65536;
/** 64 MiB in total. */
export const MEMORY_PAGES = 1024;
export const SCRATCH_START = PAGE_BYTES;
export const SCRATCH_END = 16 * 1024 * 1024;
export const ARENA_START = SCRATCH_END;
export const ARENA_END = MEMORY_PAGES * PAGE_BYTES;

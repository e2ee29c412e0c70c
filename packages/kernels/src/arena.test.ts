// The arena allocator on a small buffer (so "full" is cheap to reach), then the package-level
// behaviour around it: a full arena hands out ordinary arrays, which the kernels still accept
// (copy path), and earlier arena views stay valid because the memory never grows.
import { describe, expect, test } from "vitest";
import { Arena } from "./arena.js";
import { ArenaError } from "./errors.js";
import {
  allocEmptyF64,
  allocF64,
  allocF64From,
  allocI32,
  arenaStats,
  clearBufferPool,
  fillEmptyArraysWith,
  freeArray,
  inWasmMemory,
  tsBackend,
  wasmBackend,
} from "./index.js";

describe("Arena", () => {
  test("hands out zero-filled, 16-byte aligned views until full, then null", () => {
    const arena = new Arena(new ArrayBuffer(256), 32, 160); // 128 bytes
    const a = arena.allocF64(3)!; // 24 bytes → a 32-byte block
    expect(a.byteOffset).toBe(32);
    expect([...a]).toEqual([0, 0, 0]);
    const b = arena.allocI32(5)!; // 20 → 32
    expect(b.byteOffset).toBe(64);
    const c = arena.allocF64(8)!; // 64
    expect(c.byteOffset).toBe(96);
    expect(arena.allocF64(1)).toBeNull();
    expect(arena.stats()).toEqual({
      capacityBytes: 128,
      usedBytes: 128,
      largestFreeBytes: 0,
      liveAllocations: 3,
    });
    expect(arena.allocF64(0)).toBeNull();
  });

  test("freeing merges neighbours, and reused blocks are zeroed again", () => {
    const arena = new Arena(new ArrayBuffer(128), 0, 128);
    const a = arena.allocF64(4)!;
    const b = arena.allocF64(4)!;
    const c = arena.allocF64(4)!;
    const d = arena.allocF64(4)!;
    a.fill(1);
    b.fill(2);
    c.fill(3);
    arena.free(b);
    arena.free(d);
    expect(arena.stats().largestFreeBytes).toBe(32);
    arena.free(c); // merges with both b's and d's blocks
    expect(arena.stats().largestFreeBytes).toBe(96);
    const e = arena.allocF64(12)!;
    expect(e.byteOffset).toBe(32);
    expect(e.every((v) => v === 0)).toBe(true);
    arena.free(a);
    arena.free(e);
    expect(arena.stats()).toEqual({
      capacityBytes: 128,
      usedBytes: 0,
      largestFreeBytes: 128,
      liveAllocations: 0,
    });
  });

  test("a double free or a subarray is an ArenaError; foreign arrays are ignored", () => {
    const arena = new Arena(new ArrayBuffer(128), 0, 128);
    const a = arena.allocF64(4)!;
    expect(() => arena.free(a.subarray(1))).toThrow(ArenaError);
    expect(() => arena.free(a.subarray(0, 2))).toThrow(/not a live arena allocation/);
    arena.free(a);
    expect(() => arena.free(a)).toThrow(/freed twice, or a subarray/);
    arena.free(new Float64Array(4));
  });

  test("an invalid range is rejected", () => {
    expect(() => new Arena(new ArrayBuffer(64), 8, 64)).toThrow(/16-byte aligned/);
    expect(() => new Arena(new ArrayBuffer(64), 0, 128)).toThrow(ArenaError);
  });
  test("allocF64(n, false) hands out a reused block as it was: not zeroed", () => {
    const arena = new Arena(new ArrayBuffer(64), 0, 64);
    const a = arena.allocF64(4)!;
    a.fill(7);
    arena.free(a);
    const b = arena.allocF64(4, false)!;
    expect(b.byteOffset).toBe(a.byteOffset);
    expect([...b]).toEqual([7, 7, 7, 7]);
    arena.free(b);
    expect([...arena.allocF64(4)!]).toEqual([0, 0, 0, 0]);
  });
});

describe("the wasm memory's arena", () => {
  test("when full, allocF64 returns ordinary arrays that the kernels still accept; old views stay valid", () => {
    const early = allocF64From([1, 2, 3, 4]);
    expect(inWasmMemory(early)).toBe(true);
    const free = arenaStats().largestFreeBytes;
    const filler = allocF64(free / 8);
    expect(inWasmMemory(filler)).toBe(true);
    const overflow = allocF64(4);
    expect(inWasmMemory(overflow)).toBe(false);
    expect(overflow).toBeInstanceOf(Float64Array);
    expect(inWasmMemory(allocI32(2))).toBe(false);

    // Mixed operands: A in the arena, x and y ordinary (copied per call).
    overflow.set([1, -1, 2, 0.5]);
    const y = new Float64Array(2);
    wasmBackend!.matvec(2, 2, early, overflow.subarray(0, 2), y, false);
    const yRef = new Float64Array(2);
    tsBackend.matvec(2, 2, early, overflow.subarray(0, 2), yRef, false);
    expect([...y]).toEqual([...yRef]);

    // The memory was never grown: the first view is neither detached nor changed.
    expect(early.length).toBe(4);
    expect([...early]).toEqual([1, 2, 3, 4]);

    freeArray(overflow); // an ordinary array: ignored
    freeArray(filler);
    expect(inWasmMemory(allocF64(4))).toBe(true);
    freeArray(early);
  });

  test("an allocation larger than the arena comes from the buffer pool and goes back there", () => {
    clearBufferPool();
    // More entries than the whole arena holds: always an ordinary array.
    const n = arenaStats().capacityBytes / 8 + 1024;
    const big = allocF64(n);
    expect(inWasmMemory(big)).toBe(false);
    big.fill(3);
    freeArray(big);
    const again = allocF64(n);
    // Identity as a boolean: toBe on arrays this large compares them entry by entry for its
    // message (a minute and more on a loaded machine).
    expect(again === big).toBe(true);
    expect(again.every((v) => v === 0)).toBe(true);
    freeArray(again);
    // An ordinary array that allocF64 did not hand out is ignored by freeArray, never pooled.
    const mine = new Float64Array(n + 8);
    freeArray(mine);
    expect(allocF64(n + 8) === mine).toBe(false);
    clearBufferPool();
  });

  test("allocEmptyF64 gives an arena array of exactly n entries, or an ordinary zeroed one when the arena is full", () => {
    const a = allocEmptyF64(5);
    expect(inWasmMemory(a)).toBe(true);
    expect(a.length).toBe(5);
    freeArray(a);
    const filler = allocF64(arenaStats().largestFreeBytes / 8);
    const overflow = allocEmptyF64(3000);
    expect(inWasmMemory(overflow)).toBe(false);
    expect(overflow.length).toBe(3000);
    expect(overflow.every((v) => v === 0)).toBe(true);
    freeArray(overflow);
    freeArray(filler);
  });

  test("fillEmptyArraysWith(NaN) makes allocEmptyF64's arrays NaN until turned off", () => {
    fillEmptyArraysWith(Number.NaN);
    const a = allocEmptyF64(4);
    expect(a.every(Number.isNaN)).toBe(true);
    a.fill(2);
    freeArray(a);
    fillEmptyArraysWith(undefined);
    const b = allocEmptyF64(4);
    expect(b.byteOffset).toBe(a.byteOffset);
    expect([...b]).toEqual([2, 2, 2, 2]);
    freeArray(b);
  });
});

import { beforeEach, describe, expect, it } from "vitest";
import { clearBufferPool, giveBuffer, takeBuffer, takeZeroed } from "./buffer-pool.js";

// Pooled arrays are those of at least 2¹² entries (MIN_POOLED).
const BIG = 1 << 16;

describe("buffer pool", () => {
  // Each test starts from an empty pool (other tests in this worker may have filled it).
  beforeEach(() => {
    clearBufferPool();
  });

  it("takeZeroed hands back a given array of that exact length, zeroed", () => {
    const a = takeZeroed(BIG);
    a.fill(7);
    giveBuffer(a);
    const b = takeZeroed(BIG);
    expect(b).toBe(a);
    expect(b.length).toBe(BIG);
    expect(b.every((x) => x === 0)).toBe(true);
  });

  it("takeZeroed never hands out an array of another length", () => {
    const a = new Float64Array(BIG + 8);
    giveBuffer(a);
    const b = takeZeroed(BIG);
    expect(b).not.toBe(a);
    expect(b.length).toBe(BIG);
    // a is still pooled: takeBuffer (at least the length asked) may use it.
    expect(takeBuffer(BIG)).toBe(a);
  });

  it("a given array is handed out once, and small arrays and views are not pooled", () => {
    const a = new Float64Array(BIG);
    giveBuffer(a);
    giveBuffer(a);
    expect(takeZeroed(BIG)).toBe(a);
    expect(takeZeroed(BIG)).not.toBe(a);
    const small = new Float64Array(16);
    giveBuffer(small);
    expect(takeZeroed(16)).not.toBe(small);
    const whole = new Float64Array(2 * BIG);
    const view = whole.subarray(0, BIG);
    giveBuffer(view);
    expect(takeZeroed(BIG)).not.toBe(view);
  });

  it("the pool keeps at most 256 arrays, forgetting the oldest", () => {
    const arrays = Array.from({ length: 257 }, () => new Float64Array(1 << 12));
    for (const a of arrays) giveBuffer(a);
    expect(clearBufferPool()).toBe(256 * (1 << 12) * 8);
    for (const a of arrays) giveBuffer(a);
    // The first one given went first; the last one is still there.
    const taken = Array.from({ length: 256 }, () => takeZeroed(1 << 12));
    expect(taken).not.toContain(arrays[0]);
    expect(taken).toContain(arrays[256]);
  });

  it("arrays from 2¹² entries are pooled, smaller ones are not", () => {
    const edge = new Float64Array(1 << 12);
    giveBuffer(edge);
    expect(takeZeroed(1 << 12)).toBe(edge);
    const below = new Float64Array((1 << 12) - 1);
    giveBuffer(below);
    expect(takeZeroed((1 << 12) - 1)).not.toBe(below);
  });

  it("clearBufferPool forgets every pooled array and reports the bytes it held", () => {
    clearBufferPool();
    const a = new Float64Array(BIG);
    const b = new Float64Array(2 * BIG);
    giveBuffer(a);
    giveBuffer(b);
    expect(clearBufferPool()).toBe(3 * BIG * 8);
    expect(clearBufferPool()).toBe(0);
    expect(takeZeroed(BIG)).not.toBe(a);
    expect(takeBuffer(2 * BIG)).not.toBe(b);
  });
});

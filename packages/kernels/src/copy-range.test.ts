import { describe, expect, test } from "vitest";
import { copyRange } from "./copy-range.js";

describe("copyRange", () => {
  // Both paths (the loop below 4 096 entries, the memcpy from 4 096 up), at offsets in both arrays.
  test.each([0, 1, 4095, 4096, 4097, 10000])("%s entries", (length) => {
    const src = Float64Array.from({ length: length + 7 }, (_, i) => i * 1.5 - 3);
    const dst = new Float64Array(length + 5).fill(-1);
    copyRange(dst, 2, src, 4, length);
    expect(Array.from(dst.subarray(0, 2))).toEqual([-1, -1]);
    expect(Array.from(dst.subarray(2, 2 + length))).toEqual(Array.from(src.subarray(4, 4 + length)));
    expect(Array.from(dst.subarray(2 + length))).toEqual([-1, -1, -1]);
  });
});

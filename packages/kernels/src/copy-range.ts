/**
 * copyRange: dst[dstOffset … + length) = src[srcOffset … + length), for per-step copies of
 * stored states and stages. Long ranges go through a view and TypedArray.set (a memcpy): on the
 * bench machine 0.15–0.3 ns per entry against 1.8 for the element loop from 10³ entries up.
 * The view is one small young-generation object, under 5 % of a 4 096-entry copy's time; below
 * that the loop runs, which makes no object (at small n the hot loops allocate nothing per step:
 * ode's allocation test counts it).
 */
const MEMCPY_FROM = 4096;

export function copyRange(
  dst: Float64Array,
  dstOffset: number,
  src: Float64Array,
  srcOffset: number,
  length: number,
): void {
  if (length >= MEMCPY_FROM) {
    dst.set(src.subarray(srcOffset, srcOffset + length), dstOffset);
    return;
  }
  for (let j = 0; j < length; j++) dst[dstOffset + j] = src[srcOffset + j];
}

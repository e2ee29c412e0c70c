/**
 * A small pool of large Float64Arrays (ordinary heap arrays, not the WebAssembly arena) for
 * buffers that live for one call: the per-step stores of dense solutions, a solve's scratch,
 * the cotangents of a backward pass. Fresh large arrays are expensive where it matters most: the
 * engine maps new zeroed pages for each, and on some hosts every first touch of a page is a slow
 * fault (measured here: filling a fresh 40 MB array took 540 ms, the same array warm 10 ms;
 * scripts/first-touch.mjs prints the cost at other sizes — a training loop paid it on every gradient).
 * Arrays come back with `giveBuffer` when their owner is done and are handed out again; the pool
 * keeps at most POOL_BYTES (and POOL_ARRAYS arrays, so a lookup's scan stays short) and forgets
 * the rest to the garbage collector. Arrays below MIN_POOLED entries are neither pooled nor looked
 * up (the engine reuses small blocks cheaply).
 */

/**
 * Arrays smaller than this come from the engine as usual. 2¹² entries (32 KB): from there a fresh
 * array cost more than a pooled one in a gradient loop — gradbench ode at n = 10⁴ (arrays of 10⁴
 * entries), one RK4 step: 1.22–1.46 ms per DiscreteAdjoint gradient with 2¹⁵, 0.98–1.02 with 2¹².
 */
const MIN_POOLED = 1 << 12;
/** The most arrays the pool keeps (the oldest go first). */
const POOL_ARRAYS = 256;
/** The most the pool keeps, in bytes (a caller sizing its stores to stay warm reads it). */
export const POOL_BYTES = 256 * 2 ** 20;

const pool: Float64Array[] = [];
let pooledBytes = 0;

/**
 * An array of at least `length` entries (up to 4× more when it comes from the pool), not
 * zeroed: for callers that write before they read and track their own length.
 */
export function takeBuffer(length: number): Float64Array {
  if (length >= MIN_POOLED) {
    let best = -1;
    for (let i = 0; i < pool.length; i++) {
      const a = pool[i];
      // Smallest pooled array that fits, but not one more than 4× too large.
      if (a.length >= length && a.length <= 4 * length && (best < 0 || a.length < pool[best].length))
        best = i;
    }
    if (best >= 0) {
      const a = pool[best];
      pool.splice(best, 1);
      pooledBytes -= a.byteLength;
      return a;
    }
  }
  return new Float64Array(length);
}

/** An array of exactly `length` zeros (from the pool when one of that length is there). */
export function takeZeroed(length: number): Float64Array {
  if (length >= MIN_POOLED) {
    for (let i = pool.length - 1; i >= 0; i--) {
      const a = pool[i];
      if (a.length === length) {
        pool.splice(i, 1);
        pooledBytes -= a.byteLength;
        return a.fill(0);
      }
    }
  }
  return new Float64Array(length);
}

/**
 * Hands an array back for reuse; the caller must not use it afterwards (nor anything that
 * still refers to it). Small arrays and views into a larger buffer are ignored.
 */
export function giveBuffer(a: Float64Array): void {
  if (a.length < MIN_POOLED || a.byteOffset !== 0 || a.length !== a.buffer.byteLength / 8) return;
  if (pool.includes(a)) return;
  pool.push(a);
  pooledBytes += a.byteLength;
  while (pooledBytes > POOL_BYTES || pool.length > POOL_ARRAYS) {
    const dropped = pool.shift() as Float64Array;
    pooledBytes -= dropped.byteLength;
  }
}

/**
 * Forgets every pooled array (the garbage collector then reclaims them) and returns how many
 * bytes the pool held: for a program that is done with large solves and wants the memory back
 * (the pool otherwise keeps up to POOL_BYTES for the next call).
 */
export function clearBufferPool(): number {
  const bytes = pooledBytes;
  pool.length = 0;
  pooledBytes = 0;
  return bytes;
}

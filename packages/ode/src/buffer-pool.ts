/**
 * A small pool of large Float64Arrays for the per-step stores of dense solutions. Fresh large
 * arrays are expensive where it matters most: the engine maps new zeroed pages for each, and on
 * some hosts every first touch of a page is a slow fault (measured here: filling a fresh 40 MB
 * array took 540 ms, the same array warm 10 ms — a training loop paid it on every gradient).
 * Arrays come back with `giveBuffer` when their owner is done (ODESolution.release, or a
 * GrowableBuffer outgrowing one) and are handed out again, largest-fit first; the pool keeps at
 * most POOL_BYTES and forgets the rest to the garbage collector. Contents of a taken array are
 * not zeroed: callers write before they read.
 */

/** Arrays smaller than this come from the engine as usual (small ones are cheap to allocate). */
const MIN_POOLED = 1 << 15;
/** The most the pool keeps, in bytes. */
const POOL_BYTES = 256 * 2 ** 20;

const pool: Float64Array[] = [];
let pooledBytes = 0;

/** An array of at least `length` entries (not zeroed when it comes from the pool). */
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

/** Hands an array back for reuse; the caller must not use it afterwards. */
export function giveBuffer(a: Float64Array): void {
  if (a.length < MIN_POOLED || a.byteOffset !== 0 || a.length !== a.buffer.byteLength / 8) return;
  if (pool.includes(a)) return;
  pool.push(a);
  pooledBytes += a.byteLength;
  while (pooledBytes > POOL_BYTES) {
    const dropped = pool.shift() as Float64Array;
    pooledBytes -= dropped.byteLength;
  }
}

/**
 * Level-1 kernels (axpy, scale, dot, elementwise product and multiply-add, allFinite) and the rank-1 update
 * A += α·x·yᵀ, WebAssembly SIMD (f64x2). Pointers are byte offsets into the module's memory.
 *
 * Every kernel here except `dot` does the same floating-point operations per element as the
 * TypeScript fallback (src/vector.ts), so the two agree bit for bit. `dot` sums in four
 * interleaved partial sums (two f64x2 accumulators), a different order than the plain loop.
 */

/** y += α·x over n entries. */
export function axpy(n: i32, alpha: f64, px: usize, py: usize): void {
  const va = f64x2.splat(alpha);
  const end = (<usize>n) << 3;
  let o: usize = 0;
  for (; o + 32 <= end; o += 32) {
    v128.store(py + o, f64x2.add(v128.load(py + o), f64x2.mul(va, v128.load(px + o))));
    v128.store(py + o + 16, f64x2.add(v128.load(py + o + 16), f64x2.mul(va, v128.load(px + o + 16))));
  }
  for (; o + 16 <= end; o += 16) {
    v128.store(py + o, f64x2.add(v128.load(py + o), f64x2.mul(va, v128.load(px + o))));
  }
  if (o < end) store<f64>(py + o, load<f64>(py + o) + alpha * load<f64>(px + o));
}

/** x *= α over n entries. */
export function scale(n: i32, alpha: f64, px: usize): void {
  const va = f64x2.splat(alpha);
  const end = (<usize>n) << 3;
  let o: usize = 0;
  for (; o + 16 <= end; o += 16) v128.store(px + o, f64x2.mul(v128.load(px + o), va));
  if (o < end) store<f64>(px + o, load<f64>(px + o) * alpha);
}

/** Σ xᵢ·yᵢ over n entries. */
export function dot(n: i32, px: usize, py: usize): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  const end = (<usize>n) << 3;
  let o: usize = 0;
  for (; o + 32 <= end; o += 32) {
    s0 = f64x2.add(s0, f64x2.mul(v128.load(px + o), v128.load(py + o)));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(px + o + 16), v128.load(py + o + 16)));
  }
  for (; o + 16 <= end; o += 16) s0 = f64x2.add(s0, f64x2.mul(v128.load(px + o), v128.load(py + o)));
  const s = f64x2.add(s0, s1);
  let r = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  if (o < end) r += load<f64>(px + o) * load<f64>(py + o);
  return r;
}

/** out = a∘b over n entries (out may be a or b itself). */
export function mul(n: i32, pa: usize, pb: usize, pout: usize): void {
  const end = (<usize>n) << 3;
  let o: usize = 0;
  for (; o + 32 <= end; o += 32) {
    v128.store(pout + o, f64x2.mul(v128.load(pa + o), v128.load(pb + o)));
    v128.store(pout + o + 16, f64x2.mul(v128.load(pa + o + 16), v128.load(pb + o + 16)));
  }
  for (; o + 16 <= end; o += 16) v128.store(pout + o, f64x2.mul(v128.load(pa + o), v128.load(pb + o)));
  if (o < end) store<f64>(pout + o, load<f64>(pa + o) * load<f64>(pb + o));
}

/**
 * 1 when every one of the n entries is finite, else 0. x − x is 0 for a finite x and NaN for
 * ±Inf or NaN, and a sum with a NaN term is NaN: one subtraction and one addition per entry.
 */
export function allFinite(n: i32, px: usize): i32 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  const end = (<usize>n) << 3;
  let o: usize = 0;
  for (; o + 32 <= end; o += 32) {
    const a = v128.load(px + o);
    const b = v128.load(px + o + 16);
    s0 = f64x2.add(s0, f64x2.sub(a, a));
    s1 = f64x2.add(s1, f64x2.sub(b, b));
  }
  for (; o + 16 <= end; o += 16) {
    const a = v128.load(px + o);
    s0 = f64x2.add(s0, f64x2.sub(a, a));
  }
  const s = f64x2.add(s0, s1);
  let r = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  if (o < end) {
    const x = load<f64>(px + o);
    r += x - x;
  }
  return r === 0 ? 1 : 0;
}

/** c += a∘b over n entries. */
export function mulAdd(n: i32, pa: usize, pb: usize, pc: usize): void {
  const end = (<usize>n) << 3;
  let o: usize = 0;
  for (; o + 16 <= end; o += 16) {
    v128.store(pc + o, f64x2.add(v128.load(pc + o), f64x2.mul(v128.load(pa + o), v128.load(pb + o))));
  }
  if (o < end) store<f64>(pc + o, load<f64>(pc + o) + load<f64>(pa + o) * load<f64>(pb + o));
}

/** A += α·x·yᵀ, A m×n row-major. Rows with α·xᵢ = 0 are skipped, as in the fallback. */
export function ger(m: i32, n: i32, alpha: f64, px: usize, py: usize, pA: usize): void {
  const rowBytes = (<usize>n) << 3;
  for (let i = 0; i < m; i++) {
    const axi = alpha * load<f64>(px + ((<usize>i) << 3));
    if (axi === 0) continue;
    axpy(n, axi, py, pA + <usize>i * rowBytes);
  }
}

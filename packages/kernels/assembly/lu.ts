/**
 * LU factorisation with partial pivoting and the matching triangular solves, WebAssembly SIMD
 * (f64x2), row-major. Golub & Van Loan, Matrix Computations, 4th ed., Algorithm 3.4.1
 * (right-looking, "kij" form): at step k the pivot is the first entry of largest magnitude in
 * column k, rows k and p are swapped, the multipliers lᵢ = aᵢₖ·(1/aₖₖ) are stored below the
 * diagonal and each row below is updated aᵢⱼ −= lᵢ·aₖⱼ. The row updates run two entries at a time;
 * every entry sees the same operations in the same order as in the fallback (src/lu.ts), so the
 * factors agree bit for bit. The triangular solves are sequential dot products (scalar, same order).
 */

/** Returns 0, or k + 1 when the pivot of column k is exactly zero. piv is an i32 array. */
export function luFactor(n: i32, pA: usize, pPiv: usize): i32 {
  let info = 0;
  const rowBytes = (<usize>n) << 3;
  for (let k = 0; k < n; k++) {
    const kOff = (<usize>k) << 3;
    let p = k;
    let best = abs<f64>(load<f64>(pA + <usize>k * rowBytes + kOff));
    for (let i = k + 1; i < n; i++) {
      const v = abs<f64>(load<f64>(pA + <usize>i * rowBytes + kOff));
      if (v > best) {
        best = v;
        p = i;
      }
    }
    store<i32>(pPiv + ((<usize>k) << 2), p);
    const rk = pA + <usize>k * rowBytes;
    if (p !== k) {
      const rp = pA + <usize>p * rowBytes;
      let o: usize = 0;
      for (; o + 16 <= rowBytes; o += 16) {
        const t = v128.load(rk + o);
        v128.store(rk + o, v128.load(rp + o));
        v128.store(rp + o, t);
      }
      if (o < rowBytes) {
        const t = load<f64>(rk + o);
        store<f64>(rk + o, load<f64>(rp + o));
        store<f64>(rp + o, t);
      }
    }
    const pivot = load<f64>(rk + kOff);
    if (pivot === 0) {
      if (info === 0) info = k + 1;
      continue;
    }
    const inv = 1 / pivot;
    const start = kOff + 8;
    for (let i = k + 1; i < n; i++) {
      const ri = pA + <usize>i * rowBytes;
      const l = load<f64>(ri + kOff) * inv;
      store<f64>(ri + kOff, l);
      if (l === 0) continue;
      const vl = f64x2.splat(l);
      let o = start;
      for (; o + 32 <= rowBytes; o += 32) {
        v128.store(ri + o, f64x2.sub(v128.load(ri + o), f64x2.mul(vl, v128.load(rk + o))));
        v128.store(ri + o + 16, f64x2.sub(v128.load(ri + o + 16), f64x2.mul(vl, v128.load(rk + o + 16))));
      }
      for (; o + 16 <= rowBytes; o += 16) {
        v128.store(ri + o, f64x2.sub(v128.load(ri + o), f64x2.mul(vl, v128.load(rk + o))));
      }
      if (o < rowBytes) store<f64>(ri + o, load<f64>(ri + o) - l * load<f64>(rk + o));
    }
  }
  return info;
}

/** Solves A·x = b in place (b becomes x) from the factors written by luFactor. */
export function luSolve(n: i32, pLU: usize, pPiv: usize, pb: usize): void {
  for (let k = 0; k < n; k++) {
    const p = load<i32>(pPiv + ((<usize>k) << 2));
    if (p !== k) {
      const bk = pb + ((<usize>k) << 3);
      const bp = pb + ((<usize>p) << 3);
      const t = load<f64>(bk);
      store<f64>(bk, load<f64>(bp));
      store<f64>(bp, t);
    }
  }
  const rowBytes = (<usize>n) << 3;
  for (let i = 1; i < n; i++) {
    const ri = pLU + <usize>i * rowBytes;
    const bi = pb + ((<usize>i) << 3);
    let s = load<f64>(bi);
    for (let j = 0; j < i; j++) s -= load<f64>(ri + ((<usize>j) << 3)) * load<f64>(pb + ((<usize>j) << 3));
    store<f64>(bi, s);
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = pLU + <usize>i * rowBytes;
    const bi = pb + ((<usize>i) << 3);
    let s = load<f64>(bi);
    for (let j = i + 1; j < n; j++)
      s -= load<f64>(ri + ((<usize>j) << 3)) * load<f64>(pb + ((<usize>j) << 3));
    store<f64>(bi, s / load<f64>(ri + ((<usize>i) << 3)));
  }
}

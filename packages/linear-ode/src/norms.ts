/**
 * Matrix 1-norms for the algorithms of this package:
 * - `norm1`: the exact 1-norm (largest absolute column sum) of an n×n matrix.
 * - `normAbsPower1`: the exact ‖ |A|^p ‖₁, by p products with the non-negative |A|ᵀ applied to
 *   the ones vector (as needed by ℓ(A, m) of Al-Mohy & Higham 2009, eq. (5.3)).
 * - `normest1`: the block 1-norm estimator of Higham & Tisseur (2000), Algorithm 2.4, for an
 *   operator given as a product of n×n matrices, B = M₁·M₂·…·M_k (e.g. A^p without forming it),
 *   applied to n×t blocks through the kernels' matmul / matmulTN.
 *
 * References:
 * - N. J. Higham, F. Tisseur, "A block algorithm for matrix 1-norm estimation, with an
 *   application to 1-norm pseudospectra", SIAM J. Matrix Anal. Appl. 21(4), 1185–1201, 2000.
 * - A. H. Al-Mohy, N. J. Higham, "A new scaling and squaring algorithm for the matrix
 *   exponential", SIAM J. Matrix Anal. Appl. 31(3), 970–989, 2009.
 */
import { matmul, matmulTN, matvecT } from "@udekit/kernels";

/** Exact ‖A‖₁ = max_j Σ_i |a_ij| of an n×n row-major matrix; `colSums` is an n-vector scratch. */
export function norm1(n: number, A: Float64Array, colSums: Float64Array): number {
  colSums.fill(0, 0, n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < n; j++) colSums[j] += Math.abs(A[ri + j]);
  }
  let best = 0;
  for (let j = 0; j < n; j++) if (colSums[j] > best) best = colSums[j];
  return best;
}

/** max_i |x_i| over the first n entries. */
export function normInf(n: number, x: Float64Array): number {
  let best = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(x[i]);
    if (a > best) best = a;
  }
  return best;
}

/**
 * log₂ ‖ |A|^p ‖₁, exactly up to rounding: ‖M‖₁ = ‖Mᵀ·1‖∞ for a non-negative M, and
 * (|A|^p)ᵀ·1 = |A|ᵀ(…(|A|ᵀ·1)). The vector is renormalised after every product (the scale is
 * kept as a base-2 logarithm) so that huge norms cannot overflow. Returns −Infinity for |A|^p = 0.
 * `absA` (n×n) receives |A|; `v`, `w` are n-vector scratch.
 */
export function log2NormAbsPower1(
  n: number,
  A: Float64Array,
  p: number,
  absA: Float64Array,
  v: Float64Array,
  w: Float64Array,
): number {
  const nn = n * n;
  for (let i = 0; i < nn; i++) absA[i] = Math.abs(A[i]);
  v.fill(1, 0, n);
  let log2Scale = 0;
  for (let k = 0; k < p; k++) {
    matvecT(n, n, absA, v, w, false);
    const m = normInf(n, w);
    if (m === 0) return Number.NEGATIVE_INFINITY;
    const inv = 1 / m;
    for (let i = 0; i < n; i++) v[i] = w[i] * inv;
    log2Scale += Math.log2(m);
  }
  return log2Scale;
}

/** Preallocated buffers of `normest1` for one n (t = 2 columns). */
export class Normest1Workspace {
  readonly n: number;
  readonly t: number;
  readonly X: Float64Array;
  readonly Y: Float64Array;
  readonly Tmp: Float64Array;
  readonly S: Float64Array;
  readonly SOld: Float64Array;
  readonly h: Float64Array;
  readonly hist: Uint8Array;
  readonly ind: Int32Array;
  private seed = 0x9e3779b9;

  constructor(n: number) {
    this.n = n;
    this.t = Math.min(2, n);
    const nt = n * this.t;
    this.X = new Float64Array(nt);
    this.Y = new Float64Array(nt);
    this.Tmp = new Float64Array(nt);
    this.S = new Float64Array(nt);
    this.SOld = new Float64Array(nt);
    this.h = new Float64Array(n);
    this.hist = new Uint8Array(n);
    this.ind = new Int32Array(this.t);
  }

  /** A deterministic ±1 (xorshift32), so estimates are reproducible run to run. */
  randomSign(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return (this.seed & 1) === 0 ? 1 : -1;
  }

  resetSeed(): void {
    this.seed = 0x9e3779b9;
  }
}

/** Y = M₁·M₂·…·M_k·X for n×t blocks (Y must not alias X). */
function applyProduct(
  n: number,
  t: number,
  mats: Float64Array[],
  X: Float64Array,
  Y: Float64Array,
  Tmp: Float64Array,
): void {
  let src = X;
  for (let k = mats.length - 1; k >= 0; k--) {
    // Alternate between Y and Tmp so that the last product lands in Y.
    const dst = (mats.length - 1 - k) % 2 === (mats.length - 1) % 2 ? Y : Tmp;
    matmul(n, n, t, mats[k], src, dst, false);
    src = dst;
  }
}

/** Y = (M₁·…·M_k)ᵀ·X = M_kᵀ·…·M₁ᵀ·X for n×t blocks. */
function applyProductT(
  n: number,
  t: number,
  mats: Float64Array[],
  X: Float64Array,
  Y: Float64Array,
  Tmp: Float64Array,
): void {
  let src = X;
  for (let k = 0; k < mats.length; k++) {
    const dst = k % 2 === (mats.length - 1) % 2 ? Y : Tmp;
    matmulTN(n, n, t, mats[k], src, dst, false);
    src = dst;
  }
}

/** Are columns a of P and b of Q (n×t blocks of ±1) parallel, i.e. equal up to sign? */
function parallel(n: number, t: number, P: Float64Array, a: number, Q: Float64Array, b: number): boolean {
  let s = 0;
  for (let i = 0; i < n; i++) s += P[i * t + a] * Q[i * t + b];
  return Math.abs(s) === n;
}

/**
 * Estimate of ‖M₁·M₂·…·M_k‖₁ (n×n factors) by the block algorithm of Higham & Tisseur
 * (2000, Algorithm 2.4) with t = 2 columns and at most 5 iterations. The estimate is always a
 * lower bound (it is ‖B·x‖₁ for unit vectors x) and in practice exact or within a factor 3.
 * Cost: a few products of each factor with n×2 blocks; never forms the product.
 */
export function normest1(n: number, mats: Float64Array[], ws: Normest1Workspace): number {
  const t = ws.t;
  const { X, Y, Tmp, S, SOld, h, hist, ind } = ws;
  const itmax = 5;
  ws.resetSeed();
  hist.fill(0);
  // Starting block: first column 1/n; the others random ±1/n, not parallel to an earlier one.
  for (let i = 0; i < n; i++) X[i * t] = 1 / n;
  for (let j = 1; j < t; j++) {
    for (let attempt = 0; attempt < 100; attempt++) {
      for (let i = 0; i < n; i++) S[i * t + j] = ws.randomSign();
      let dup = false;
      for (let i = 0; i < n; i++) S[i * t] = 1;
      for (let q = 0; q < j && !dup; q++) dup = parallel(n, t, S, j, S, q);
      if (!dup) break;
    }
    for (let i = 0; i < n; i++) X[i * t + j] = S[i * t + j] / n;
  }
  SOld.fill(0);
  let estOld = 0;
  let est = 0;
  let indBest = -1;
  for (let k = 1; ; k++) {
    applyProduct(n, t, mats, X, Y, Tmp);
    est = 0;
    let jBest = 0;
    for (let j = 0; j < t; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.abs(Y[i * t + j]);
      if (s > est) {
        est = s;
        jBest = j;
      }
    }
    if (k >= 2 && est <= estOld) return estOld;
    if (k >= 2) indBest = ind[jBest];
    estOld = est;
    if (k > itmax) return est;
    for (let i = 0; i < n * t; i++) S[i] = Y[i] >= 0 ? 1 : -1;
    if (k >= 2) {
      let allParallel = true;
      for (let j = 0; j < t && allParallel; j++) {
        let found = false;
        for (let q = 0; q < t && !found; q++) found = parallel(n, t, S, j, SOld, q);
        allParallel = found;
      }
      if (allParallel) return est;
    }
    // Replace columns of S parallel to an earlier column of S or to a column of S_old.
    for (let j = 0; j < t; j++) {
      for (let attempt = 0; attempt < 100; attempt++) {
        let dup = false;
        for (let q = 0; q < j && !dup; q++) dup = parallel(n, t, S, j, S, q);
        if (k >= 2) for (let q = 0; q < t && !dup; q++) dup = parallel(n, t, S, j, SOld, q);
        if (!dup) break;
        for (let i = 0; i < n; i++) S[i * t + j] = ws.randomSign();
      }
    }
    for (let i = 0; i < n * t; i++) SOld[i] = S[i];
    applyProductT(n, t, mats, S, Y, Tmp);
    let hMax = 0;
    for (let i = 0; i < n; i++) {
      let m = 0;
      for (let j = 0; j < t; j++) {
        const a = Math.abs(Y[i * t + j]);
        if (a > m) m = a;
      }
      h[i] = m;
      if (m > hMax) hMax = m;
    }
    if (k >= 2 && indBest >= 0 && hMax === h[indBest]) return est;
    // The t largest h_i overall: if all were visited, stop; else take the t largest unvisited.
    let allVisited = true;
    for (let j = 0; j < t; j++) {
      let best = -1;
      for (let i = 0; i < n; i++) {
        let taken = false;
        for (let q = 0; q < j; q++) if (ind[q] === i) taken = true;
        if (!taken && (best < 0 || h[i] > h[best])) best = i;
      }
      ind[j] = best;
      if (hist[best] === 0) allVisited = false;
    }
    if (allVisited) return est;
    let picked = 0;
    for (let j = 0; j < t; j++) {
      let best = -1;
      for (let i = 0; i < n; i++) {
        if (hist[i] !== 0) continue;
        let taken = false;
        for (let q = 0; q < picked; q++) if (ind[q] === i) taken = true;
        if (!taken && (best < 0 || h[i] > h[best])) best = i;
      }
      if (best < 0) break;
      ind[picked++] = best;
    }
    if (picked === 0) return est;
    for (let j = picked; j < t; j++) ind[j] = ind[0];
    X.fill(0);
    for (let j = 0; j < t; j++) {
      X[ind[j] * t + j] = 1;
      hist[ind[j]] = 1;
    }
  }
}

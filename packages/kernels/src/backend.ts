/**
 * The kernel interface: every hot dense loop in udekit goes through one object of this
 * shape, so the WebAssembly SIMD implementation and the plain TypeScript fallback are
 * interchangeable (see README "Adding a kernel").
 *
 * Conventions: matrices are row-major and dense; dimensions are explicit, so buffers may
 * be longer than the operation needs (a preallocated workspace can serve many sizes);
 * `accumulate = true` adds into the output instead of overwriting it. No kernel allocates.
 */
export interface KernelBackend {
  readonly name: "ts" | "wasm";
  /** y = A·x (or y += A·x). A is m×n, x has n entries, y has m. */
  matvec(m: number, n: number, A: Float64Array, x: Float64Array, y: Float64Array, accumulate: boolean): void;
  /** y = Aᵀ·x (or y += Aᵀ·x). A is m×n, x has m entries, y has n. */
  matvecT(m: number, n: number, A: Float64Array, x: Float64Array, y: Float64Array, accumulate: boolean): void;
  /** C = A·B (or C += A·B). A is m×k, B is k×n, C is m×n. */
  matmul(
    m: number,
    k: number,
    n: number,
    A: Float64Array,
    B: Float64Array,
    C: Float64Array,
    accumulate: boolean,
  ): void;
  /** C = Aᵀ·B (or C += Aᵀ·B). A is k×m, B is k×n, C is m×n. */
  matmulTN(
    m: number,
    k: number,
    n: number,
    A: Float64Array,
    B: Float64Array,
    C: Float64Array,
    accumulate: boolean,
  ): void;
  /** C = A·Bᵀ (or C += A·Bᵀ). A is m×k, B is n×k, C is m×n. */
  matmulNT(
    m: number,
    k: number,
    n: number,
    A: Float64Array,
    B: Float64Array,
    C: Float64Array,
    accumulate: boolean,
  ): void;
  /** y += α·x over the first n entries. */
  axpy(n: number, alpha: number, x: Float64Array, y: Float64Array): void;
  /** x *= α over the first n entries. */
  scale(n: number, alpha: number, x: Float64Array): void;
  /** Σ xᵢ·yᵢ over the first n entries. */
  dot(n: number, x: Float64Array, y: Float64Array): number;
  /** Rank-1 update A += α·x·yᵀ. A is m×n, x has m entries, y has n. */
  ger(m: number, n: number, alpha: number, x: Float64Array, y: Float64Array, A: Float64Array): void;
  /** Elementwise product out = a∘b over the first n entries; out may be a or b itself (not a shifted view of one). */
  mul(n: number, a: Float64Array, b: Float64Array, out: Float64Array): void;
  /** Elementwise multiply-add c += a∘b over the first n entries. */
  mulAdd(n: number, a: Float64Array, b: Float64Array, c: Float64Array): void;
  /** True when none of the first n entries is ±Infinity or NaN. */
  allFinite(n: number, x: Float64Array): boolean;
  /**
   * LU factorisation with partial pivoting, in place: A (n×n) becomes L (unit lower, below
   * the diagonal) and U (upper). piv[i] is the row swapped with row i at step i.
   * Returns 0, or k + 1 when the pivot of column k is exactly zero (singular matrix).
   */
  luFactor(n: number, A: Float64Array, piv: Int32Array): number;
  /** Solves A·x = b in place (b becomes x) from the factors written by luFactor. */
  luSolve(n: number, LU: Float64Array, piv: Int32Array, b: Float64Array): void;
}

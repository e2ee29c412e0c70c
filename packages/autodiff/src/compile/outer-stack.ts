/**
 * A stack of rank-1 cotangent contributions to one m×n matrix argument, for batched compiled
 * pullbacks (see batching.ts, PullbackOptions.batch): the ḡ and r of up to `capacity` calls are
 * kept as rows of two buffers and added to the argument's cotangent G at once, G += Lᵀ·R, by
 * one matrix product — several times faster than `capacity` separate rank-1 updates.
 * For r = ones (row-sum broadcasts), Σ ḡ·1ᵀ = (Σ ḡ)·1ᵀ: only the sum of the cotangents is kept.
 */
import { ger, matmulTN, scale } from "@udekit/kernels";
import type { OuterVjp } from "../define-op.js";

export class OuterStack {
  private readonly left: Float64Array;
  /** null for r = ones (then left's first m entries hold Σ ḡ). */
  private readonly right: Float64Array | null;
  private readonly ones: Float64Array | null;
  /** The rows of left and right, as views made once (a call copies into them with TypedArray#set). */
  private readonly leftRows: Float64Array[];
  private readonly rightRows: Float64Array[];
  private readonly capacity: number;
  private count = 0;
  /** The array the stacked contributions belong to (the caller's grads[slot]), and its m×n view. */
  private target: Float64Array | null = null;
  private view: Float64Array | null = null;

  /**
   * @param m, n  the matrix's shape
   * @param offset where the matrix starts in the argument (it may be a reshaped slice of it)
   * @param alloc  allocates the stack's buffers (the compiled program's owned arena arrays)
   */
  constructor(
    readonly m: number,
    readonly n: number,
    readonly offset: number,
    readonly outer: OuterVjp,
    batch: number,
    alloc: (n: number) => Float64Array,
  ) {
    const byOnes = outer.right === "ones";
    this.capacity = byOnes ? 1 : batch;
    this.left = alloc(byOnes ? m : batch * m);
    this.right = byOnes ? null : alloc(batch * n);
    this.ones = byOnes ? alloc(n).fill(1) : null;
    const rows = (a: Float64Array | null, len: number) =>
      a === null ? [] : Array.from({ length: this.capacity }, (_, k) => a.subarray(k * len, (k + 1) * len));
    this.leftRows = byOnes ? [] : rows(this.left, m);
    this.rightRows = rows(this.right, n);
  }

  /** True while contributions for `target` are stacked but not yet added. */
  pendingFor(target: Float64Array | null): boolean {
    return this.count > 0 && this.target === target;
  }

  get pending(): boolean {
    return this.count > 0;
  }

  /**
   * Stacks ḡ (scaled by the op's scale and by `weight`, the caller's factor for this argument's
   * cotangent) and r; a full stack, or a new target, flushes first.
   */
  push(g: Float64Array, r: Float64Array | null, target: Float64Array, weight = 1): void {
    if (this.target !== target) {
      this.flush();
      this.target = target;
      // One view per target array (a pass), not per call.
      this.view = this.offset === 0 ? target : target.subarray(this.offset, this.offset + this.m * this.n);
    }
    const { left, right, m, n } = this;
    if (right === null) {
      for (let i = 0; i < m; i++) left[i] += weight * g[i];
      this.count = 1;
      return;
    }
    const s = this.outer.scale * weight;
    const c = this.count;
    const rr = r as Float64Array;
    if (g.length === m && rr.length === n) {
      // Into the rows' views: TypedArray#set is a block copy (2–4× the loops below from n = 100).
      this.leftRows[c].set(g);
      if (s !== 1) scale(m, s, this.leftRows[c]);
      this.rightRows[c].set(rr);
    } else {
      for (let i = 0; i < m; i++) left[c * m + i] = s * g[i];
      for (let j = 0; j < n; j++) right[c * n + j] = rr[j];
    }
    if (++this.count === this.capacity) this.flush();
  }

  /** Adds the stacked contributions into the target's view and empties the stack. */
  flush(): void {
    const view = this.view;
    if (this.count === 0 || view === null) return;
    if (this.right === null)
      ger(this.m, this.n, this.outer.scale, this.left, this.ones as Float64Array, view);
    else matmulTN(this.m, this.count, this.n, this.left, this.right, view, true);
    this.count = 0;
    this.left.fill(0);
    this.target = null;
    this.view = null;
  }
}

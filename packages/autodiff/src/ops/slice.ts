/** slice: entries [start, end) of a vector, or rows [start, end) of a matrix. */
import { axpy } from "@udekit/kernels";
import { defineOp, READS_NOTHING } from "../define-op.js";
import { ShapeError } from "../errors.js";
import { formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { ViewCache } from "../view-cache.js";

export interface SliceAttrs {
  start: number;
  end: number;
}

/** Entries per sliced unit: 1 for a vector, the row length for a matrix. */
const unit = (s: readonly number[]): number => (s.length === 2 ? s[1] : 1);

export const sliceOp = defineOp<SliceAttrs>({
  name: "slice",
  vjpReads: () => READS_NOTHING,
  viewOf: ([s], { start }) => start * unit(s),
  shape: ([s], { start, end }) => {
    if (s.length === 0) {
      throw new ShapeError("slice: cannot slice a scalar. Slice a vector (entries) or a matrix (rows).");
    }
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > s[0] || start > end) {
      throw new ShapeError(
        `slice: range [${start}, ${end}) is not inside 0…${s[0]} for shape ${formatShape(s)}. Use integers with 0 ≤ start ≤ end ≤ ${s[0]}.`,
      );
    }
    return s.length === 2 ? [end - start, s[1]] : [end - start];
  },
  forward(ctx) {
    const x = ctx.inputs[0];
    const s = ctx.inputShapes[0];
    const out = ctx.out;
    const start = ctx.attrs.start;
    const u = unit(s);
    for (let i = 0; i < out.length; i++) out[i] = x[start * u + i];
  },
  vjp(ctx, g, inputGrads) {
    const gx = inputGrads[0];
    const s = ctx.inputShapes[0];
    const start = ctx.attrs.start;
    if (gx === null) return;
    const offset = start * unit(s);
    if (offset === 0) {
      axpy(g.length, 1, g, gx);
      return;
    }
    // The target range as a view, made once per gradient buffer (compiled pullbacks pass the
    // same few buffers call after call), so that the kernel can add into it without a loop here.
    let cache = ctx.saved as ViewCache | undefined;
    if (cache === undefined) {
      cache = new ViewCache(offset, g.length);
      ctx.saved = cache;
    }
    axpy(g.length, 1, g, cache.windowOf(gx));
  },
});

/** Entries [start, end) of a vector, or rows [start, end) of a matrix. */
export const slice = (x: Tensor, start: number, end: number): Tensor => sliceOp([x], { start, end });

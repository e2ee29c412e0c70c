/**
 * sum and mean, over all entries (axis omitted: a scalar) or along one axis of a matrix
 * (axis 0: column sums, shape [n]; axis 1: row sums, shape [m]). For a vector, axis 0 is all.
 */

import { ger, matvec, matvecT } from "@udekit/kernels";
import { defineOp, READS_NOTHING } from "../define-op.js";
import { ShapeError } from "../errors.js";
import { colsOf, formatShape, rowsOf, type Shape, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";

export interface ReduceAttrs {
  axis: number | undefined;
  mean: boolean;
}

function reducedShape(op: string, s: Shape, axis: number | undefined): Shape {
  if (axis === undefined || (s.length === 1 && axis === 0)) return [];
  if (s.length === 2 && (axis === 0 || axis === 1)) return [s[1 - axis]];
  throw new ShapeError(
    `${op}: axis ${axis} does not exist for shape ${formatShape(s)}. Use axis 0 or 1 for a matrix, 0 for a vector, or omit it to reduce everything.`,
  );
}

/** Number of entries folded into each output entry. */
function count(s: Shape, axis: number | undefined): number {
  if (axis === undefined || s.length < 2) return sizeOf(s);
  return s[axis];
}

function makeReduce(name: "sum" | "mean") {
  return defineOp<ReduceAttrs>({
    name,
    vjpReads: () => READS_NOTHING,
    // Row sums: x̄ += w·ḡ·1ᵀ, batchable (see OpDefinition.outerVjp).
    outerVjp: ([s], { axis, mean }) =>
      axis === 1 && s.length === 2 ? { input: 0, right: "ones", scale: mean ? 1 / s[1] : 1 } : undefined,
    // A vector of ones, so that the VJP along an axis is one rank-1 update (a kernel).
    workspace: ([s], { axis }) => (axis === undefined || s.length < 2 ? 0 : Math.max(s[0], s[1])),
    shape: ([s], { axis }) => reducedShape(name, s, axis),
    forward(ctx) {
      const x = ctx.inputs[0];
      const s = ctx.inputShapes[0];
      const { out, outShape } = ctx;
      const { axis, mean } = ctx.attrs;
      const w = mean ? 1 / count(s, axis) : 1;
      const m = rowsOf(s);
      const n = colsOf(s);
      if (outShape.length === 0) {
        let acc = 0;
        for (let i = 0; i < x.length; i++) acc += x[i];
        out[0] = acc * w;
      } else {
        // Row sums x·1 (axis 1) and column sums xᵀ·1 (axis 0) are matrix–vector products.
        const ones = ctx.scratch;
        ones.fill(1);
        if (axis === 1) matvec(m, n, x, ones, out, false);
        else matvecT(m, n, x, ones, out, false);
        if (w !== 1) for (let i = 0; i < out.length; i++) out[i] *= w;
      }
    },
    vjp(ctx, g, inputGrads) {
      const gx = inputGrads[0];
      if (gx === null) return;
      const s = ctx.inputShapes[0];
      const { outShape } = ctx;
      const { axis, mean } = ctx.attrs;
      const w = mean ? 1 / count(s, axis) : 1;
      const m = rowsOf(s);
      const n = colsOf(s);
      if (outShape.length === 0) {
        const gw = g[0] * w;
        const size = sizeOf(s);
        for (let i = 0; i < size; i++) gx[i] += gw;
      } else {
        const ones = ctx.scratch;
        ones.fill(1);
        // axis 1: x̄ += w·ḡ·1ᵀ (each row gets its row-sum's cotangent); axis 0: x̄ += w·1·ḡᵀ
        if (axis === 1) ger(m, n, w, g, ones, gx);
        else ger(m, n, w, ones, g, gx);
      }
    },
  });
}

export const sumOp = makeReduce("sum");
export const meanOp = makeReduce("mean");

/** Sum of all entries, or along `axis` (0: over rows → [n]; 1: over columns → [m]). */
export const sum = (x: Tensor, axis?: number): Tensor => sumOp([x], { axis, mean: false });
/** Mean of all entries, or along `axis` (see sum). */
export const mean = (x: Tensor, axis?: number): Tensor => meanOp([x], { axis, mean: true });

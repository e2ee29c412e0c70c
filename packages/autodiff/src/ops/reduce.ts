/**
 * sum and mean, over all entries (axis omitted: a scalar) or along one axis of a matrix
 * (axis 0: column sums, shape [n]; axis 1: row sums, shape [m]). For a vector, axis 0 is all.
 */
import { ShapeError } from "../errors.js";
import { defineOp } from "../registry.js";
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
    shape: ([s], { axis }) => reducedShape(name, s, axis),
    forward(ctx) {
      const x = ctx.inputs[0];
      const s = ctx.inputShapes[0];
      const { out, outShape } = ctx;
      const { axis, mean } = ctx.attrs;
      const w = mean ? 1 / count(s, axis) : 1;
      const m = rowsOf(s);
      const n = colsOf(s);
      out.fill(0);
      if (outShape.length === 0) {
        let acc = 0;
        for (let i = 0; i < x.length; i++) acc += x[i];
        out[0] = acc * w;
      } else if (axis === 1) {
        for (let i = 0; i < m; i++) {
          let acc = 0;
          for (let j = 0; j < n; j++) acc += x[i * n + j];
          out[i] = acc * w;
        }
      } else {
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j] += x[i * n + j];
        for (let j = 0; j < n; j++) out[j] *= w;
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
        for (let i = 0; i < gx.length; i++) gx[i] += gw;
      } else if (axis === 1) {
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) gx[i * n + j] += g[i] * w;
      } else {
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) gx[i * n + j] += g[j] * w;
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

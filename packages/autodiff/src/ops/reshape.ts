/** reshape: the same entries in row-major order under a new shape of equal size. */
import { axpy } from "@udekit/kernels";
import { defineOp, READS_NOTHING } from "../define-op.js";
import { ShapeError } from "../errors.js";
import { checkShape, formatShape, type Shape, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";

export const reshapeOp = defineOp<{ shape: Shape }>({
  name: "reshape",
  vjpReads: () => READS_NOTHING,
  viewOf: () => 0,
  shape: ([s], { shape }) => {
    checkShape(shape, "reshape");
    if (sizeOf(shape) !== sizeOf(s)) {
      throw new ShapeError(
        `reshape: cannot reshape ${formatShape(s)} (${sizeOf(s)} entries) to ${formatShape(shape)} (${sizeOf(shape)} entries). The sizes must be equal.`,
      );
    }
    return [...shape];
  },
  forward(ctx) {
    const x = ctx.inputs[0];
    const out = ctx.out;
    out.set(x);
  },
  vjp(_ctx, g, inputGrads) {
    const gx = inputGrads[0];
    if (gx === null) return;
    axpy(g.length, 1, g, gx);
  },
});

export const reshape = (x: Tensor, shape: Shape): Tensor => reshapeOp([x], { shape });

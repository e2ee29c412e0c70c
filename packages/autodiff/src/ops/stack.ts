/**
 * stack: equally shaped scalars into a vector, or vectors into the rows (axis 0) or columns
 * (axis 1) of a matrix. The inverse of unstack (unstack.ts): stack(unstack(x, axis), axis) = x.
 */
import { defineOp, READS_NOTHING } from "../define-op.js";
import { ShapeError } from "../errors.js";
import { formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";

export const stackOp = defineOp<{ axis: number }>({
  name: "stack",
  vjpReads: () => READS_NOTHING,
  shape: (shapes, { axis }) => {
    if (shapes.length === 0) {
      throw new ShapeError("stack: needs at least one tensor, e.g. stack([x, y]).");
    }
    const first = shapes[0];
    if (shapes.some((s) => s.length !== first.length || s.some((d, i) => d !== first[i]))) {
      throw new ShapeError(
        `stack: every tensor must have the same shape; got ${shapes.map(formatShape).join(", ")}. Reshape them alike (a [1] vector to a scalar: unstack(v)[0]).`,
      );
    }
    if (first.length > 1) {
      throw new ShapeError(
        `stack: stacks scalars (into a vector) or vectors (into a matrix); got shape ${formatShape(first)}. Concatenate matrices with concat.`,
      );
    }
    if (!(axis === 0 || (axis === 1 && first.length === 1))) {
      throw new ShapeError(
        `stack: axis ${axis} is not valid for ${first.length === 0 ? "scalars (axis 0 only)" : "vectors (axis 0: rows, 1: columns)"}.`,
      );
    }
    const k = shapes.length;
    if (first.length === 0) return [k];
    return axis === 0 ? [k, first[0]] : [first[0], k];
  },
  forward({ inputs, out, attrs: { axis } }) {
    const k = inputs.length;
    inputs.forEach((x, j) => {
      if (axis === 0) out.set(x, j * x.length);
      else for (let i = 0; i < x.length; i++) out[i * k + j] = x[i];
    });
  },
  vjp({ inputs, attrs: { axis } }, g, inputGrads) {
    const k = inputs.length;
    inputs.forEach((x, j) => {
      const gx = inputGrads[j];
      if (gx === null) return;
      const m = x.length;
      if (axis === 0) for (let i = 0; i < m; i++) gx[i] += g[j * m + i];
      else for (let i = 0; i < m; i++) gx[i] += g[i * k + j];
    });
  },
});

/**
 * Stacks equally shaped tensors along a new axis: scalars into a vector, vectors into the rows
 * (axis 0, the default) or columns (axis 1) of a matrix.
 */
export const stack = (xs: readonly Tensor[], axis = 0): Tensor => stackOp(xs, { axis });

/**
 * unstack: a vector into its entries (rank-0 tensors), or a matrix into its rows (axis 0) or
 * columns (axis 1). Each piece is one application of the `unstack` op (attrs: axis, index), so
 * a right-hand side that reads three named states records three small ops; stack (stack.ts) is
 * the inverse.
 */
import { defineOp, READS_NOTHING } from "../define-op.js";
import { ShapeError } from "../errors.js";
import { formatShape, type Shape } from "../shape.js";
import type { Tensor } from "../tensor.js";

export interface UnstackAttrs {
  axis: number;
  index: number;
}

export const unstackOp = defineOp<UnstackAttrs>({
  name: "unstack",
  vjpReads: () => READS_NOTHING,
  shape: ([s], { axis, index }) => checkShape(s, axis, index),
  forward({ inputs: [x], inputShapes: [s], out, attrs: { axis, index } }) {
    if (s.length === 1) out[0] = x[index];
    else if (axis === 0) for (let j = 0; j < s[1]; j++) out[j] = x[index * s[1] + j];
    else for (let i = 0; i < s[0]; i++) out[i] = x[i * s[1] + index];
  },
  vjp({ inputShapes: [s], attrs: { axis, index } }, g, [gx]) {
    if (gx === null) return;
    if (s.length === 1) gx[index] += g[0];
    else if (axis === 0) for (let j = 0; j < s[1]; j++) gx[index * s[1] + j] += g[j];
    else for (let i = 0; i < s[0]; i++) gx[i * s[1] + index] += g[i];
  },
});

function checkShape(s: Shape, axis: number, index: number): Shape {
  if (s.length === 0) {
    throw new ShapeError("unstack: a scalar has no entries to unstack; pass a vector or a matrix.");
  }
  if (!(axis === 0 || (axis === 1 && s.length === 2))) {
    throw new ShapeError(
      `unstack: axis ${axis} is not valid for shape ${formatShape(s)}; use ${s.length === 1 ? "axis 0 (entries)" : "axis 0 (rows) or 1 (columns)"}.`,
    );
  }
  if (!Number.isInteger(index) || index < 0 || index >= s[axis]) {
    throw new ShapeError(
      `unstack: index ${index} is outside 0…${s[axis] - 1} along axis ${axis} of ${formatShape(s)}.`,
    );
  }
  if (s.length === 1) return [];
  return [s[1 - axis]];
}

/**
 * The pieces of `x` along `axis`: a vector's entries as scalars, a matrix's rows (axis 0, the
 * default) or columns (axis 1) as vectors. `const [x, y] = unstack(u)` names the states of a
 * right-hand side; `stack` puts them back together.
 */
export function unstack(x: Tensor, axis = 0): Tensor[] {
  const s = x.shape;
  const count = s.length === 0 ? 0 : s[axis];
  // Validate once (a scalar, a bad axis) even when there is nothing to split.
  if (s.length === 0 || count === undefined) checkShape(s, axis, 0);
  const out: Tensor[] = [];
  for (let index = 0; index < count; index++) out.push(unstackOp([x], { axis, index }));
  return out;
}

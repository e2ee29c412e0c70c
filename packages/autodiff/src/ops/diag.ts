/** diag: a vector [n] to the diagonal matrix [n, n]; diagonal: a square matrix's diagonal as a vector. */

import { defineOp, READS_NOTHING } from "../define-op.js";
import { ShapeError } from "../errors.js";
import { formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";

export const diagOp = defineOp<undefined>({
  name: "diag",
  vjpReads: () => READS_NOTHING,
  shape: ([s]) => {
    if (s.length !== 1) {
      throw new ShapeError(
        `diag: expected a vector, got shape ${formatShape(s)}. Use diagonal() to read a matrix's diagonal.`,
      );
    }
    return [s[0], s[0]];
  },
  forward(ctx) {
    const v = ctx.inputs[0];
    const out = ctx.out;
    const n = v.length;
    out.fill(0);
    for (let i = 0; i < n; i++) out[i * n + i] = v[i];
  },
  vjp(ctx, g, inputGrads) {
    const gv = inputGrads[0];
    const v = ctx.inputs[0];
    if (gv === null) return;
    const n = v.length;
    for (let i = 0; i < n; i++) gv[i] += g[i * n + i];
  },
});

export const diagonalOp = defineOp<undefined>({
  name: "diagonal",
  vjpReads: () => READS_NOTHING,
  shape: ([s]) => {
    if (s.length !== 2 || s[0] !== s[1]) {
      throw new ShapeError(`diagonal: expected a square matrix, got shape ${formatShape(s)}.`);
    }
    return [s[0]];
  },
  forward(ctx) {
    const A = ctx.inputs[0];
    const out = ctx.out;
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = A[i * n + i];
  },
  vjp(_ctx, g, inputGrads) {
    const gA = inputGrads[0];
    if (gA === null) return;
    const n = g.length;
    for (let i = 0; i < n; i++) gA[i * n + i] += g[i];
  },
});

/** The diagonal matrix with `v` on its diagonal. */
export const diag = (v: Tensor): Tensor => diagOp([v], undefined);
/** The diagonal of a square matrix. */
export const diagonal = (A: Tensor): Tensor => diagonalOp([A], undefined);

/** matmul (A·B) and matvec (A·x), through the kernels; VJPs Ā = Ḡ·Bᵀ, B̄ = Aᵀ·Ḡ and Ā = ḡ·xᵀ, x̄ = Aᵀ·ḡ. */
import {
  ger,
  matmul as matmulKernel,
  matmulNT,
  matmulTN,
  matvec as matvecKernel,
  matvecT,
} from "@udekit/kernels";
import { defineOp, type OuterVjp, READS_INPUTS } from "../define-op.js";
import { ShapeError } from "../errors.js";
import { formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";

export const matmulOp = defineOp<undefined>({
  name: "matmul",
  vjpReads: () => READS_INPUTS,
  shape: ([a, b]) => {
    if (a.length !== 2 || b.length !== 2 || a[1] !== b[0]) {
      throw new ShapeError(
        `matmul: cannot multiply A ${formatShape(a)} by B ${formatShape(b)}; expected two matrices [m, k] and [k, n] (A's columns equal to B's rows). ` +
          "Use matvec for a matrix times a vector, or transpose/reshape an operand.",
      );
    }
    return [a[0], b[1]];
  },
  forward(ctx) {
    const m = ctx.inputShapes[0][0];
    const k = ctx.inputShapes[0][1];
    const n = ctx.inputShapes[1][1];
    matmulKernel(m, k, n, ctx.inputs[0], ctx.inputs[1], ctx.out, false);
  },
  vjp(ctx, g, inputGrads) {
    const m = ctx.inputShapes[0][0];
    const k = ctx.inputShapes[0][1];
    const n = ctx.inputShapes[1][1];
    const gA = inputGrads[0];
    const gB = inputGrads[1];
    if (gA !== null) matmulNT(m, n, k, g, ctx.inputs[1], gA, true);
    if (gB !== null) matmulTN(k, m, n, ctx.inputs[0], g, gB, true);
  },
});

/** Ā += ḡ·xᵀ. */
const MATVEC_OUTER: OuterVjp = { input: 0, right: 1, scale: 1 };

export const matvecOp = defineOp<undefined>({
  name: "matvec",
  vjpReads: () => READS_INPUTS,
  outerVjp: () => MATVEC_OUTER,
  shape: ([a, x]) => {
    if (a.length !== 2 || x.length !== 1 || a[1] !== x[0]) {
      throw new ShapeError(
        `matvec: cannot multiply A ${formatShape(a)} by x ${formatShape(x)}; expected a matrix [m, n] and a vector [n]. ` +
          "Check the vector's length, or use matmul for two matrices.",
      );
    }
    return [a[0]];
  },
  forward(ctx) {
    const m = ctx.inputShapes[0][0];
    const n = ctx.inputShapes[0][1];
    matvecKernel(m, n, ctx.inputs[0], ctx.inputs[1], ctx.out, false);
  },
  vjp(ctx, g, inputGrads) {
    const m = ctx.inputShapes[0][0];
    const n = ctx.inputShapes[0][1];
    const gA = inputGrads[0];
    const gx = inputGrads[1];
    if (gA !== null) ger(m, n, 1, g, ctx.inputs[1], gA);
    if (gx !== null) matvecT(m, n, ctx.inputs[0], g, gx, true);
  },
});

/** A·B for matrices A [m, k] and B [k, n]. */
export const matmul = (A: Tensor, B: Tensor): Tensor => matmulOp([A, B], undefined);
/** A·x for a matrix A [m, n] and a vector x [n]. */
export const matvec = (A: Tensor, x: Tensor): Tensor => matvecOp([A, x], undefined);

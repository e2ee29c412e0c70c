/** scale(x, α) = α·x and pow(x, p) = x^p with a constant number α or p. */
import { axpy } from "@udekit/kernels";
import { defineOp, READS_INPUTS, READS_NOTHING } from "../define-op.js";
import { ArgumentError } from "../errors.js";
import type { Tensor } from "../tensor.js";

function checkNumber(op: string, what: string, v: number): void {
  if (typeof v !== "number" || Number.isNaN(v)) {
    throw new ArgumentError(`${op}: ${what} must be a number, got ${String(v)}.`);
  }
}

export const scaleOp = defineOp<{ alpha: number }>({
  name: "scale",
  vjpReads: () => READS_NOTHING,
  shape: ([s], { alpha }) => {
    checkNumber("scale", "alpha", alpha);
    return s;
  },
  forward(ctx) {
    const x = ctx.inputs[0];
    const out = ctx.out;
    const alpha = ctx.attrs.alpha;
    for (let i = 0; i < out.length; i++) out[i] = alpha * x[i];
  },
  vjp(ctx, g, inputGrads) {
    const gx = inputGrads[0];
    const out = ctx.out;
    const alpha = ctx.attrs.alpha;
    if (gx !== null) axpy(out.length, alpha, g, gx);
  },
});

export const powOp = defineOp<{ p: number }>({
  name: "pow",
  vjpReads: () => READS_INPUTS,
  shape: ([s], { p }) => {
    checkNumber("pow", "the exponent", p);
    return s;
  },
  forward(ctx) {
    const x = ctx.inputs[0];
    const out = ctx.out;
    const p = ctx.attrs.p;
    for (let i = 0; i < out.length; i++) out[i] = x[i] ** p;
  },
  vjp(ctx, g, inputGrads) {
    const gx = inputGrads[0];
    const x = ctx.inputs[0];
    const out = ctx.out;
    const p = ctx.attrs.p;
    if (gx === null) return;
    for (let i = 0; i < out.length; i++) gx[i] += g[i] * p * x[i] ** (p - 1);
  },
});

/** α·x for a constant number α. */
export const scale = (x: Tensor, alpha: number): Tensor => scaleOp([x], { alpha });
/** x^p elementwise for a constant number p (x < 0 with non-integer p is NaN, as in IEEE). */
export const pow = (x: Tensor, p: number): Tensor => powOp([x], { p });

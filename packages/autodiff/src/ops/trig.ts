/**
 * sin and cos, elementwise (radians). d/dx sin x = cos x, d/dx cos x = −sin x: each VJP reads
 * its input and evaluates the other function, which keeps the forward pass free of extra
 * outputs (a compiled pullback then recomputes nothing but the op's input).
 */
import { READS_INPUTS } from "../define-op.js";
import type { Tensor } from "../tensor.js";
import { unaryOp } from "./elementwise.js";

export const sinOp = unaryOp({
  name: "sin",
  reads: READS_INPUTS,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]);
  },
  grad: (n, g, x, _out, gx) => {
    for (let i = 0; i < n; i++) gx[i] += g[i] * Math.cos(x[i]);
  },
});

export const cosOp = unaryOp({
  name: "cos",
  reads: READS_INPUTS,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]);
  },
  grad: (n, g, x, _out, gx) => {
    for (let i = 0; i < n; i++) gx[i] -= g[i] * Math.sin(x[i]);
  },
});

/** sin x, elementwise (x in radians). */
export const sin = (x: Tensor): Tensor => sinOp([x], undefined);
/** cos x, elementwise (x in radians). */
export const cos = (x: Tensor): Tensor => cosOp([x], undefined);

/**
 * Elementwise functions: each op's value loop and derivative loop side by side.
 * gelu is the tanh approximation of Hendrycks & Gimpel (2016, §2), as in NNlib/Lux;
 * softplus and sigmoid are evaluated in their overflow-free forms.
 */

import { axpy, fastTanh, mulAdd, tanhInto } from "@udekit/kernels";
import { READS_INPUTS, READS_NOTHING, READS_OUTPUT } from "../define-op.js";
import type { Tensor } from "../tensor.js";
import { unaryOp } from "./elementwise.js";

const sigmoidValue = (x: number): number => {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
};

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

export const negOp = unaryOp({
  name: "neg",
  reads: READS_NOTHING,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) out[i] = -x[i];
  },
  grad: (n, g, _x, _out, gx) => axpy(n, -1, g, gx),
});

export const identityOp = unaryOp({
  name: "identity",
  reads: READS_NOTHING,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) out[i] = x[i];
  },
  grad: (n, g, _x, _out, gx) => axpy(n, 1, g, gx),
});

export const squareOp = unaryOp({
  name: "square",
  reads: READS_INPUTS,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
  },
  grad: (n, g, x, _out, gx) => {
    for (let i = 0; i < n; i++) gx[i] += 2 * g[i] * x[i];
  },
});

export const expOp = unaryOp({
  name: "exp",
  reads: READS_OUTPUT,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
  },
  grad: (n, g, _x, out, gx) => mulAdd(n, g, out, gx),
});

export const logOp = unaryOp({
  name: "log",
  reads: READS_INPUTS,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
  },
  grad: (n, g, x, _out, gx) => {
    for (let i = 0; i < n; i++) gx[i] += g[i] / x[i];
  },
});

export const sqrtOp = unaryOp({
  name: "sqrt",
  reads: READS_OUTPUT,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
  },
  grad: (n, g, _x, out, gx) => {
    for (let i = 0; i < n; i++) gx[i] += (0.5 * g[i]) / out[i];
  },
});

export const absOp = unaryOp({
  name: "abs",
  reads: READS_INPUTS,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
  },
  // The derivative at 0 is taken as 0.
  grad: (n, g, x, _out, gx) => {
    for (let i = 0; i < n; i++) gx[i] += x[i] > 0 ? g[i] : x[i] < 0 ? -g[i] : 0;
  },
});

export const tanhOp = unaryOp({
  name: "tanh",
  reads: READS_OUTPUT,
  // fastTanh: within 1 ulp, without Math.tanh's library call (see @udekit/kernels tanh.ts).
  forward: (n, x, out) => tanhInto(n, x, out),
  grad: (n, g, _x, out, gx) => {
    for (let i = 0; i < n; i++) gx[i] += g[i] * (1 - out[i] * out[i]);
  },
});

export const sigmoidOp = unaryOp({
  name: "sigmoid",
  reads: READS_OUTPUT,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) out[i] = sigmoidValue(x[i]);
  },
  grad: (n, g, _x, out, gx) => {
    for (let i = 0; i < n; i++) gx[i] += g[i] * out[i] * (1 - out[i]);
  },
});

export const reluOp = unaryOp({
  name: "relu",
  reads: READS_INPUTS,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) out[i] = Math.max(x[i], 0);
  },
  // The derivative at 0 is taken as 0.
  grad: (n, g, x, _out, gx) => {
    for (let i = 0; i < n; i++) if (x[i] > 0) gx[i] += g[i];
  },
});

export const softplusOp = unaryOp({
  name: "softplus",
  reads: READS_INPUTS,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) out[i] = Math.max(x[i], 0) + Math.log1p(Math.exp(-Math.abs(x[i])));
  },
  grad: (n, g, x, _out, gx) => {
    for (let i = 0; i < n; i++) gx[i] += g[i] * sigmoidValue(x[i]);
  },
});

export const geluOp = unaryOp({
  name: "gelu",
  reads: READS_INPUTS,
  forward: (n, x, out) => {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      out[i] = 0.5 * v * (1 + fastTanh(GELU_C * (v + GELU_A * v * v * v)));
    }
  },
  grad: (n, g, x, _out, gx) => {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const t = fastTanh(GELU_C * (v + GELU_A * v * v * v));
      gx[i] += g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * v * v));
    }
  },
});

export const neg = (x: Tensor): Tensor => negOp([x], undefined);
export const identity = (x: Tensor): Tensor => identityOp([x], undefined);
export const square = (x: Tensor): Tensor => squareOp([x], undefined);
export const exp = (x: Tensor): Tensor => expOp([x], undefined);
/** Natural logarithm; log of a negative number is NaN and of 0 is −∞, as in IEEE arithmetic. */
export const log = (x: Tensor): Tensor => logOp([x], undefined);
export const sqrt = (x: Tensor): Tensor => sqrtOp([x], undefined);
/** |x|; its derivative at 0 is taken as 0. */
export const abs = (x: Tensor): Tensor => absOp([x], undefined);
export const tanh = (x: Tensor): Tensor => tanhOp([x], undefined);
export const sigmoid = (x: Tensor): Tensor => sigmoidOp([x], undefined);
/** max(x, 0); its derivative at 0 is taken as 0. */
export const relu = (x: Tensor): Tensor => reluOp([x], undefined);
export const softplus = (x: Tensor): Tensor => softplusOp([x], undefined);
export const gelu = (x: Tensor): Tensor => geluOp([x], undefined);

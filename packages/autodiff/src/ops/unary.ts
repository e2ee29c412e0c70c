/**
 * Elementwise functions, one table entry each (value and derivative side by side).
 * gelu is the tanh approximation of Hendrycks & Gimpel (2016, eq. in §2), as in NNlib/Lux;
 * softplus and sigmoid are evaluated in their overflow-free forms.
 */
import type { Tensor } from "../tensor.js";
import { unaryOp } from "./elementwise.js";

const sigmoidValue = (x: number): number => {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
};

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

export const negOp = unaryOp({ name: "neg", f: (x) => -x, df: () => -1 });
export const identityOp = unaryOp({ name: "identity", f: (x) => x, df: () => 1 });
export const squareOp = unaryOp({ name: "square", f: (x) => x * x, df: (x) => 2 * x });
export const expOp = unaryOp({ name: "exp", f: Math.exp, df: (_x, y) => y });
export const logOp = unaryOp({ name: "log", f: Math.log, df: (x) => 1 / x });
export const sqrtOp = unaryOp({ name: "sqrt", f: Math.sqrt, df: (_x, y) => 0.5 / y });
export const absOp = unaryOp({ name: "abs", f: Math.abs, df: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0) });
export const tanhOp = unaryOp({ name: "tanh", f: Math.tanh, df: (_x, y) => 1 - y * y });
export const sigmoidOp = unaryOp({ name: "sigmoid", f: sigmoidValue, df: (_x, y) => y * (1 - y) });
export const reluOp = unaryOp({ name: "relu", f: (x) => (x > 0 ? x : 0), df: (x) => (x > 0 ? 1 : 0) });
export const softplusOp = unaryOp({
  name: "softplus",
  f: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  df: (x) => sigmoidValue(x),
});
export const geluOp = unaryOp({
  name: "gelu",
  f: (x) => 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_A * x * x * x))),
  df: (x) => {
    const t = Math.tanh(GELU_C * (x + GELU_A * x * x * x));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * x * x);
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

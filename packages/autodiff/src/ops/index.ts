/** Every built-in op: the list the registry (registry.ts) is built from, and the registry-wide tests iterate. */
import type { Op } from "../define-op.js";
import { addOp, divOp, mulOp, subOp } from "./arithmetic.js";
import { concatOp } from "./concat.js";
import { diagOp, diagonalOp } from "./diag.js";
import { matmulOp, matvecOp } from "./matmul.js";
import { meanOp, sumOp } from "./reduce.js";
import { reshapeOp } from "./reshape.js";
import { powOp, scaleOp } from "./scale.js";
import { sliceOp } from "./slice.js";
import { stackOp } from "./stack.js";
import { transposeOp } from "./transpose.js";
import { cosOp, sinOp } from "./trig.js";
import {
  absOp,
  expOp,
  geluOp,
  identityOp,
  logOp,
  negOp,
  reluOp,
  sigmoidOp,
  softplusOp,
  sqrtOp,
  squareOp,
  tanhOp,
} from "./unary.js";
import { unstackOp } from "./unstack.js";

export const ALL_OPS: readonly Op<never>[] = [
  addOp,
  subOp,
  mulOp,
  divOp,
  negOp,
  identityOp,
  squareOp,
  expOp,
  logOp,
  sqrtOp,
  absOp,
  tanhOp,
  sigmoidOp,
  reluOp,
  softplusOp,
  geluOp,
  sinOp,
  cosOp,
  scaleOp,
  powOp,
  matmulOp,
  matvecOp,
  transposeOp,
  sumOp,
  meanOp,
  reshapeOp,
  sliceOp,
  concatOp,
  stackOp,
  unstackOp,
  diagOp,
  diagonalOp,
];

export { add, div, mul, sub } from "./arithmetic.js";
export { concat } from "./concat.js";
export { diag, diagonal } from "./diag.js";
export { matmul, matvec } from "./matmul.js";
export { mean, sum } from "./reduce.js";
export { reshape } from "./reshape.js";
export { pow, scale } from "./scale.js";
export { slice } from "./slice.js";
export { stack } from "./stack.js";
export { transpose } from "./transpose.js";
export { cos, sin } from "./trig.js";
export {
  abs,
  exp,
  gelu,
  identity,
  log,
  neg,
  relu,
  sigmoid,
  softplus,
  sqrt,
  square,
  tanh,
} from "./unary.js";
export { unstack } from "./unstack.js";

/** The plain TypeScript backend: always available, and the reference the WebAssembly one is tested against. */
import type { KernelBackend } from "./backend.js";
import { luFactor, luSolve } from "./lu.js";
import { matmul, matmulNT, matmulTN } from "./matmul.js";
import { matvec, matvecT } from "./matvec.js";
import { allFinite, axpy, dot, ger, mul, mulAdd, scale } from "./vector.js";

export const tsBackend: KernelBackend = {
  name: "ts",
  matvec,
  matvecT,
  matmul,
  matmulTN,
  matmulNT,
  axpy,
  scale,
  dot,
  ger,
  mul,
  mulAdd,
  allFinite,
  luFactor,
  luSolve,
};

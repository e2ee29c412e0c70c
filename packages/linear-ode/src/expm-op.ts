/**
 * Public `expm` and `expmFrechet`, on Tensors or on Float64Array-backed n×n matrices, and the
 * autodiff op "linear-ode.expm" with VJP Ā = L(Aᵀ, X̄) (the adjoint of the Fréchet derivative
 * E ↦ L(A, E) in the trace inner product is E ↦ L(Aᵀ, E); Al-Mohy & Higham 2009, §1 / Higham,
 * "Functions of Matrices", SIAM 2008, Problem 3.2 and eq. (3.4)).
 */
import { defineOp, type Tensor, tensor } from "@udekit/autodiff";
import { transposeInto } from "./dense.js";
import { SizeMismatchError } from "./errors.js";
import { expmInto } from "./expm.js";
import { expmFrechetInto } from "./expm-frechet.js";
import { asTensor, type MatrixInput } from "./matrix-input.js";
import { checkFinite, squareSize, squareSizeOfArray } from "./validate.js";
import { workspaceFor } from "./workspace.js";

/** The registered autodiff op: X = exp(A) for A of shape [n, n]. */
export const expmOp = defineOp<undefined>({
  name: "linear-ode.expm",
  shape: ([s]) => {
    squareSize(s, "expm: A");
    return [s[0], s[0]];
  },
  // Aᵀ and the Fréchet output for the VJP.
  workspace: ([s]) => 2 * s[0] * s[0],
  forward(ctx) {
    const A = ctx.inputs[0];
    checkFinite(A, "expm: A");
    const n = ctx.outShape[0];
    expmInto(n, A, ctx.out, workspaceFor(n));
  },
  vjp(ctx, Xbar, [Abar]) {
    if (Abar === null) return;
    const n = ctx.outShape[0];
    const nn = n * n;
    const At = ctx.scratch.subarray(0, nn);
    const L = ctx.scratch.subarray(nn, 2 * nn);
    transposeInto(n, ctx.inputs[0], At);
    // X output of expmFrechet goes to At (no longer needed once copied in).
    expmFrechetInto(n, At, Xbar, At, L, workspaceFor(n));
    for (let i = 0; i < nn; i++) Abar[i] += L[i];
  },
});

/**
 * The matrix exponential exp(A) (Al-Mohy & Higham 2009 scaling and squaring, Padé degree
 * 3–13): relative error a few ulps × condition number. On a Tensor it is differentiable
 * (VJP Ā = L(Aᵀ, X̄)); an ml-matrix Matrix or nested rows give a (constant) Tensor; on a
 * Float64Array of length n² it returns a new Float64Array.
 *
 * Cost: about (6 + s) n×n products for ‖A‖ ≳ 4 (s ≈ log₂‖A‖), fewer for small norms.
 * For exp(tA)·v alone prefer `expmv` (matrix–vector products only).
 */
export function expm(A: MatrixInput): Tensor;
export function expm(A: Float64Array): Float64Array;
export function expm(A: MatrixInput | Float64Array): Tensor | Float64Array {
  if (A instanceof Float64Array) {
    const n = squareSizeOfArray(A, "expm: A");
    checkFinite(A, "expm: A");
    const X = new Float64Array(n * n);
    expmInto(n, A, X, workspaceFor(n));
    return X;
  }
  return expmOp([asTensor(A, "expm: A")], undefined);
}

/**
 * exp(A) and the Fréchet derivative L(A, E) = d/dh exp(A + hE) at h = 0, computed together
 * (Al-Mohy & Higham 2009, Algorithm 6.4). Tensors (or ml-matrix Matrices, nested rows) in,
 * Tensors out (not recorded on the tape); Float64Arrays in, Float64Arrays out.
 */
export function expmFrechet(A: MatrixInput, E: MatrixInput): { X: Tensor; L: Tensor };
export function expmFrechet(A: Float64Array, E: Float64Array): { X: Float64Array; L: Float64Array };
export function expmFrechet(
  Ain: MatrixInput | Float64Array,
  Ein: MatrixInput | Float64Array,
): { X: Tensor | Float64Array; L: Tensor | Float64Array } {
  const A = Ain instanceof Float64Array ? Ain : asTensor(Ain, "expmFrechet: A");
  const E = Ein instanceof Float64Array ? Ein : asTensor(Ein, "expmFrechet: E");
  const a = A instanceof Float64Array ? A : A.data;
  const e = E instanceof Float64Array ? E : E.data;
  const n =
    A instanceof Float64Array
      ? squareSizeOfArray(A, "expmFrechet: A")
      : squareSize(A.shape, "expmFrechet: A");
  const eShape = E instanceof Float64Array ? [E.length] : E.shape;
  const eOk =
    E instanceof Float64Array
      ? E.length === n * n
      : eShape.length === 2 && eShape[0] === n && eShape[1] === n;
  if (!eOk) throw new SizeMismatchError("expmFrechet: E", `an ${n}×${n} matrix like A`, eShape);
  checkFinite(a, "expmFrechet: A");
  checkFinite(e, "expmFrechet: E");
  const X = new Float64Array(n * n);
  const L = new Float64Array(n * n);
  expmFrechetInto(n, a, e, X, L, workspaceFor(n));
  if (A instanceof Float64Array) return { X, L };
  return { X: tensor(X, [n, n]), L: tensor(L, [n, n]) };
}

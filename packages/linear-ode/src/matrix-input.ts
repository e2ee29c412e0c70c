/**
 * The matrix and vector arguments of the public API: a Tensor (recorded on the tape when it is
 * being differentiated), or what a constant tensor is made from — an ml-matrix `Matrix` (read
 * structurally, so this package needs no ml-matrix at run time) or nested arrays of numbers.
 */
import { isMatrixLike, isTensor, type MatrixLike, type Tensor, tensor } from "@udekit/autodiff";
import { ArgumentTypeError } from "./errors.js";

/** A matrix argument: a Tensor, an ml-matrix Matrix (anything with rows, columns, get), or rows of numbers. */
export type MatrixInput = Tensor | MatrixLike | readonly (readonly number[])[];

/** A vector argument: a Tensor or an array of numbers. */
export type VectorInput = Tensor | readonly number[];

/** `x` as a Tensor: tensors as they are (their tape place kept), the rest copied into a constant. */
export function asTensor(x: MatrixInput | VectorInput, what: string): Tensor {
  if (isTensor(x)) return x;
  if (isMatrixLike(x)) return tensor(x);
  const isNumber = (v: unknown) => typeof v === "number";
  if (Array.isArray(x) && x.every((r) => isNumber(r) || (Array.isArray(r) && r.every(isNumber)))) {
    return tensor(x as readonly number[] | readonly (readonly number[])[]);
  }
  throw new ArgumentTypeError(what, x);
}

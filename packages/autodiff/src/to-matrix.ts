/**
 * Tensors out to matrix libraries: `toMatrix(t, Matrix)` builds an ml-matrix `Matrix` (or any
 * class constructed from an array of rows) from a tensor. The class is passed in, so udekit has
 * no run-time dependency on ml-matrix; the way in is `tensor(matrix)` (see matrix-like.ts).
 */
import { ArgumentError } from "./errors.js";
import { isTensor, type Tensor } from "./tensor.js";

/** A matrix class constructed from rows, such as ml-matrix's `Matrix` (`new Matrix([[1, 2], [3, 4]])`). */
export type MatrixConstructor<M> = new (rows: number[][]) => M;

/**
 * `toMatrix(t, Matrix)` → `new Matrix(rows)` with the tensor's entries (copied). A matrix keeps
 * its shape; a vector [n] becomes a column n×1 (ml-matrix's `Matrix.columnVector`); a scalar a
 * 1×1 matrix. Pass the class you use, e.g. `import { Matrix } from "ml-matrix"`.
 */
export function toMatrix<M>(t: Tensor, Matrix: MatrixConstructor<M>): M {
  if (!isTensor(t)) {
    throw new ArgumentError(
      `toMatrix: the first argument is ${t === null ? "null" : typeof t}, not a Tensor. Pass a tensor (wrap arrays with tensor(...)).`,
    );
  }
  if (typeof Matrix !== "function") {
    throw new ArgumentError(
      'toMatrix: pass the matrix class as the second argument, e.g. toMatrix(t, Matrix) with import { Matrix } from "ml-matrix".',
    );
  }
  t.tape?.checkReadable("toMatrix()");
  const [m, n] = t.shape.length === 2 ? t.shape : [t.size, 1];
  const rows: number[][] = [];
  for (let i = 0; i < m; i++) rows.push(Array.from(t.data.subarray(i * n, (i + 1) * n)));
  return new Matrix(rows);
}

/**
 * Matrix objects from other libraries, recognised by their shape rather than their class, so
 * that udekit accepts an ml-matrix `Matrix` (and its views: transposes, sub-matrices) without
 * importing ml-matrix at run time.
 */
import { ArgumentError } from "./errors.js";

/** Anything shaped like an ml-matrix `Matrix`: `rows`, `columns` and `get(row, column)`. */
export interface MatrixLike {
  readonly rows: number;
  readonly columns: number;
  get(row: number, column: number): number;
}

/** True for an object with integer `rows` and `columns` and a `get` method (an ml-matrix Matrix). */
export function isMatrixLike(x: unknown): x is MatrixLike {
  if (typeof x !== "object" || x === null) return false;
  const m = x as Partial<MatrixLike>;
  return (
    Number.isInteger(m.rows) &&
    Number.isInteger(m.columns) &&
    (m.rows as number) >= 0 &&
    (m.columns as number) >= 0 &&
    typeof m.get === "function"
  );
}

/** The entries of `m`, row-major, in a new Float64Array (read through `get`, so views work too). */
export function matrixLikeData(m: MatrixLike): Float64Array {
  const { rows, columns } = m;
  const out = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const v = m.get(i, j);
      if (typeof v !== "number") {
        throw new ArgumentError(
          `tensor: the matrix's entry (${i}, ${j}) is ${typeof v}, not a number. Pass a matrix of numbers (an ml-matrix Matrix, or rows, columns and get(i, j) returning numbers).`,
        );
      }
      out[i * columns + j] = v;
    }
  }
  return out;
}

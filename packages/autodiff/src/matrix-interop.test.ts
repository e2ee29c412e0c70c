// ml-matrix interop against the real ml-matrix package (a dev dependency only: tensor() and
// toMatrix() recognise and build matrices structurally, without importing it at run time).
import { readFileSync } from "node:fs";
import { Matrix, MatrixSubView, MatrixTransposeView } from "ml-matrix";
import { describe, expect, test } from "vitest";
import { compile } from "./compile.js";
import { ArgumentError, CompileError } from "./errors.js";
import { grad } from "./grad.js";
import { isMatrixLike } from "./matrix-like.js";
import { matvec, sum } from "./ops/index.js";
import { type Tensor, tensor } from "./tensor.js";
import { toMatrix } from "./to-matrix.js";

const rows = [
  [1, 2, 3],
  [4, 5, 6],
];

describe("tensor(matrix)", () => {
  test("an ml-matrix Matrix becomes a row-major [rows, columns] tensor (copied)", () => {
    const m = new Matrix(rows);
    expect(isMatrixLike(m)).toBe(true);
    const t = tensor(m);
    expect(t.shape).toEqual([2, 3]);
    expect(t.toArray()).toEqual(rows);
    m.set(0, 0, 99);
    expect(t.data[0]).toBe(1);
  });

  test("views (transpose, sub-matrix) are read through get()", () => {
    const m = new Matrix(rows);
    expect(tensor(new MatrixTransposeView(m)).toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(tensor(new MatrixSubView(m, 0, 1, 1, 2)).toArray()).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(tensor(Matrix.columnVector([7, 8])).shape).toEqual([2, 1]);
  });

  test("an explicit shape reshapes the matrix's entries", () => {
    expect(tensor(new Matrix(rows), [6]).toArray()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test("a matrix is a constant on the tape: gradients flow to the other operand", () => {
    const A = tensor(new Matrix(rows));
    // d/dx Σ A·x = Aᵀ·1 = column sums
    expect(grad((x: Tensor) => sum(matvec(A, x)))(tensor([1, 1, 1])).toArray()).toEqual([5, 7, 9]);
  });

  test("plain objects, arrays and typed arrays are not matrices", () => {
    expect(isMatrixLike({ rows: 2, columns: 2 })).toBe(false);
    expect(isMatrixLike({ rows: 1.5, columns: 2, get: () => 0 })).toBe(false);
    expect(isMatrixLike([[1]])).toBe(false);
    expect(isMatrixLike(Float64Array.of(1))).toBe(false);
  });

  test("a matrix-like object with non-numeric entries is an ArgumentError", () => {
    const bad = { rows: 1, columns: 1, get: () => "1" as unknown as number };
    expect(() => tensor(bad)).toThrow(ArgumentError);
    expect(() => tensor(bad)).toThrow(/entry \(0, 0\) is string/);
  });
});

describe("toMatrix(t, Matrix)", () => {
  test("a matrix tensor becomes an ml-matrix Matrix with the same entries", () => {
    const m = toMatrix(tensor(rows), Matrix);
    expect(m).toBeInstanceOf(Matrix);
    expect(m.rows).toBe(2);
    expect(m.columns).toBe(3);
    expect(m.to2DArray()).toEqual(rows);
    // It is a working Matrix (typed as one): (2×3)·(3×2)
    expect(m.mmul(m.transpose()).to2DArray()).toEqual([
      [14, 32],
      [32, 77],
    ]);
  });

  test("a vector becomes a column, a scalar a 1×1 matrix", () => {
    expect(toMatrix(tensor([1, 2, 3]), Matrix).to2DArray()).toEqual([[1], [2], [3]]);
    expect(toMatrix(tensor(5), Matrix).to2DArray()).toEqual([[5]]);
  });

  test("round trip Matrix → tensor → Matrix is exact", () => {
    const m = Matrix.rand(4, 3);
    expect(toMatrix(tensor(m), Matrix).to2DArray()).toEqual(m.to2DArray());
  });

  test("reading a traced tensor inside compile is refused like item()", () => {
    expect(() =>
      compile(
        (x: Tensor) => {
          toMatrix(x, Matrix);
          return sum(x);
        },
        tensor([1, 2]),
      ),
    ).toThrow(CompileError);
  });

  test("forgetting the class is an ArgumentError that says what to pass", () => {
    expect(() => toMatrix(tensor([1]), undefined as never)).toThrow(/toMatrix\(t, Matrix\)/);
  });
});

test("README's ml-matrix example runs, and README.md holds it verbatim", () => {
  const log: unknown[] = [];
  const console = { log: (x: unknown) => log.push(x) };
  // --- readme start ---
  const A = new Matrix([
    [1, 2],
    [3, 4],
  ]);
  // A Matrix is a constant on the tape; gradients flow to the tensors it meets.
  const g = grad((x: Tensor) => sum(matvec(tensor(A), x)))(tensor([1, 1])); // Aᵀ·1 = [4, 6]
  // Back to ml-matrix for what it does: products, decompositions, solves.
  const G = toMatrix(g, Matrix); // a 2×1 column
  console.log(A.transpose().mmul(G).to2DArray()); // [[22], [32]]
  // --- readme end ---
  expect(g.toArray()).toEqual([4, 6]);
  expect(G.to2DArray()).toEqual([[4], [6]]);
  expect(log).toEqual([[[22], [32]]]);
  const self = readFileSync(new URL("./matrix-interop.test.ts", import.meta.url), "utf8");
  const start = self.indexOf("  // --- readme start ---\n", self.indexOf("README's ml-matrix example"));
  const end = self.indexOf("  // --- readme end ---", start);
  const code = self
    .slice(start, end)
    .split("\n")
    .slice(1, -1)
    .map((l) => l.replace(/^ {2}/, ""))
    .join("\n");
  expect(code.split("\n").length).toBe(9);
  expect(readFileSync(new URL("../README.md", import.meta.url), "utf8")).toContain(code);
});

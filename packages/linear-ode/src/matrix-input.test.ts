// ml-matrix interop against the real ml-matrix package (a dev dependency only): every public
// function that takes a matrix takes an ml-matrix Matrix (or nested rows) as a constant, with
// the same result as the equivalent tensor; toMatrix gives a Matrix back.
import { square, sum, type Tensor, tensor, toMatrix, valueAndGrad } from "@udekit/autodiff";
import { Matrix } from "ml-matrix";
import { describe, expect, test } from "vitest";
import { ArgumentTypeError } from "./errors.js";
import { expm, expmFrechet } from "./expm-op.js";
import { expmv } from "./expmv-op.js";
import { solveLinearOde } from "./linear-ode.js";

const rotation = [
  [0, -1],
  [1, 0],
];
const decay = [
  [-1, 0.5, 0],
  [0.25, -2, 0.5],
  [0, 1, -0.5],
];

describe("a Matrix wherever a matrix tensor is taken", () => {
  test("expm(Matrix) is exp of the same entries: the rotation by 1 radian", () => {
    const X = expm(new Matrix(rotation));
    expect(X.shape).toEqual([2, 2]);
    // Closed form [[cos 1, −sin 1], [sin 1, cos 1]]; 4 ulps of 1 (the README's accuracy claim).
    const exact = [Math.cos(1), -Math.sin(1), Math.sin(1), Math.cos(1)];
    for (let i = 0; i < 4; i++) expect(Math.abs(X.data[i] - exact[i])).toBeLessThan(4 * Number.EPSILON);
    // Bit for bit what the tensor gives: the same numbers go in.
    expect(Array.from(X.data)).toEqual(Array.from(expm(tensor(rotation)).data));
    expect(Array.from(expm(rotation).data)).toEqual(Array.from(X.data));
  });

  test("the result goes back to ml-matrix with toMatrix", () => {
    const X = toMatrix(expm(new Matrix(decay)), Matrix);
    expect(X).toBeInstanceOf(Matrix);
    // exp(A)·exp(−A) = I: a check that uses ml-matrix's own product; 1e-14 is ~100 ulps for
    // entries of size ≲ 3.
    const I = X.mmul(toMatrix(expm(new Matrix(decay).mul(-1)), Matrix));
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) expect(Math.abs(I.get(i, j) - (i === j ? 1 : 0))).toBeLessThan(1e-14);
    }
  });

  test("expmFrechet and expmv take Matrices too, with the tensor results", () => {
    const E = [
      [0, 1, 0],
      [0, 0, 0],
      [1, 0, 0],
    ];
    const fromMatrix = expmFrechet(new Matrix(decay), new Matrix(E));
    const fromTensor = expmFrechet(tensor(decay), tensor(E));
    expect(Array.from(fromMatrix.L.data)).toEqual(Array.from(fromTensor.L.data));
    expect(Array.from(fromMatrix.X.data)).toEqual(Array.from(fromTensor.X.data));
    const y = expmv([0.5, 1], new Matrix(decay), [1, 0, 0]);
    expect(Array.from(y.data)).toEqual(Array.from(expmv([0.5, 1], tensor(decay), tensor([1, 0, 0])).data));
  });

  test("solveLinearOde(Matrix, array, times) equals the tensor call; b may be an array", () => {
    const times = [0, 1, 2, 3];
    const fromMatrix = solveLinearOde(new Matrix(decay), [1, 0, 0], times, { b: [0, 1, 0] });
    const fromTensor = solveLinearOde(tensor(decay), tensor([1, 0, 0]), times, { b: tensor([0, 1, 0]) });
    expect(fromMatrix.toArray()).toEqual(fromTensor.toArray());
  });

  test("a tensor A stays differentiable when u0 is a plain array", () => {
    const loss = (A: Tensor) => sum(square(solveLinearOde(A, [1, 0, 0], [0, 1, 2])));
    const lossT = (A: Tensor) => sum(square(solveLinearOde(A, tensor([1, 0, 0]), [0, 1, 2])));
    const [v, g] = valueAndGrad(loss)(tensor(decay));
    const [vT, gT] = valueAndGrad(lossT)(tensor(decay));
    expect(v.item()).toBe(vT.item());
    expect(Array.from(g.data)).toEqual(Array.from(gT.data));
    expect(g.data.some((x) => x !== 0)).toBe(true);
  });

  test("anything else is an ArgumentTypeError that says what to pass", () => {
    expect(() => expm("A" as never)).toThrow(ArgumentTypeError);
    expect(() => solveLinearOde({ rows: 2 } as never, [1, 0], [0, 1])).toThrow(/ml-matrix Matrix/);
    expect(() => solveLinearOde(new Matrix(rotation), [["x"]] as never, [0, 1])).toThrow(ArgumentTypeError);
  });
});

// Reverse mode on compositions: fan-out, reuse, broadcasting, argnums, nesting, and that no
// tape state leaks. Expected gradients are worked out by hand in each test (independent of
// the engine) or checked by gradcheck (central differences, default tolerances explained in
// gradcheck.ts).
import { describe, expect, test } from "vitest";
import { ArgumentError, NonScalarOutputError, ShapeError } from "./errors.js";
import { grad, valueAndGrad, vjp } from "./grad.js";
import { gradcheck } from "./gradcheck.js";
import { add, matmul, matvec, mul, square, sub, sum, tanh, transpose } from "./ops/index.js";
import { tapeDepth } from "./tape.js";
import { scalar, type Tensor, tensor } from "./tensor.js";

describe("grad", () => {
  test("fan-out: y = x·x + x has dy/dx = 2x + 1", () => {
    const g = grad((x: Tensor) => add(mul(x, x), x))(scalar(3));
    expect(g.item()).toBe(7);
  });

  test("a tensor reused in many ops accumulates every contribution", () => {
    // f = Σ (x + x + x)² = Σ 9x², f' = 18x
    const f = (x: Tensor) => sum(square(add(add(x, x), x)));
    const g = grad(f)(tensor([1, -2, 0.5]));
    expect(Array.from(g.data)).toEqual([18, -36, 9]);
  });

  test("broadcasting sums the cotangent over the broadcast axes", () => {
    // f = Σ_ij (M_ij · r_j) with r broadcast over rows: ∂f/∂r_j = Σ_i M_ij, ∂f/∂M_ij = r_j
    const M = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const r = tensor([10, 20, 30]);
    const [gM, gr] = grad((m: Tensor, v: Tensor) => sum(mul(m, v)), [0, 1])(M, r);
    expect(gM.toArray()).toEqual([
      [10, 20, 30],
      [10, 20, 30],
    ]);
    expect(gr.toArray()).toEqual([5, 7, 9]);
    // a column [m, 1] broadcast over columns: ∂f/∂c_i = Σ_j M_ij
    const c = tensor([[2], [3]]);
    const gc = grad((v: Tensor) => sum(mul(M, v)))(c);
    expect(gc.toArray()).toEqual([[6], [15]]);
  });

  test("argnums picks the arguments; others are constants", () => {
    const f = (a: Tensor, b: Tensor) => sum(mul(a, b));
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    expect(Array.from(grad(f, 1)(a, b).data)).toEqual([1, 2]);
    const [value, [ga, gb]] = valueAndGrad(f, [0, 1])(a, b);
    expect(value.item()).toBe(11);
    expect(Array.from(ga.data)).toEqual([3, 4]);
    expect(Array.from(gb.data)).toEqual([1, 2]);
  });

  test("a gradient of an output that does not depend on the argument is zero", () => {
    const g = grad((_x: Tensor, y: Tensor) => sum(y), 0)(tensor([1, 2]), tensor([3]));
    expect(Array.from(g.data)).toEqual([0, 0]);
  });

  test("a two-layer tanh network agrees with central differences", () => {
    const W1 = tensor([
      [0.3, -0.2, 0.5],
      [0.1, 0.4, -0.3],
    ]);
    const W2 = tensor([[0.7, -0.6]]);
    const x = tensor([
      [0.5, -1, 2],
      [1.5, 0.2, -0.4],
    ]);
    const f = (w1: Tensor, w2: Tensor, xs: Tensor) =>
      sum(square(matmul(tanh(matmul(xs, transpose(w1))), transpose(w2))));
    const r = gradcheck(f, [W1, W2, x]);
    expect(r.ok).toBe(true);
    expect(r.maxError).toBeLessThan(1e-7);
  });

  test("nested grad: an inner gradient inside a differentiated function (first order)", () => {
    // inner: d/dy Σ (y·c)² = 2c²y; the outer function uses it as a constant-in-x quantity
    // times x, so the outer gradient is that inner gradient.
    const c = tensor([1, 2]);
    const inner = grad((y: Tensor) => sum(square(mul(y, c))));
    const outer = grad((x: Tensor) => {
      const g = inner(tensor([3, 4]));
      expect(tapeDepth()).toBe(1);
      return sum(mul(g, x));
    });
    expect(Array.from(outer(tensor([5, 6])).data)).toEqual([6, 32]);
    expect(tapeDepth()).toBe(0);
  });

  test("no tape state leaks after an exception", () => {
    const bad = grad((x: Tensor) => add(x, tensor([1, 2, 3])));
    expect(() => bad(tensor([1, 2]))).toThrow(ShapeError);
    expect(tapeDepth()).toBe(0);
    // and a later call works normally
    expect(grad((x: Tensor) => sum(x))(tensor([1, 2])).toArray()).toEqual([1, 1]);
  });

  test("grad of a non-scalar output is a typed error that suggests vjp", () => {
    expect(() => grad((x: Tensor) => mul(x, x))(tensor([1, 2]))).toThrow(NonScalarOutputError);
    expect(() => grad((x: Tensor) => mul(x, x))(tensor([1, 2]))).toThrow(
      /grad: .*shape \[2\].*sum\(\.\.\.\)\) or use vjp/,
    );
  });

  test("non-tensor arguments and results are typed errors", () => {
    // @ts-expect-error deliberately wrong argument type
    expect(() => grad((x: Tensor) => sum(x))([1, 2])).toThrow(ArgumentError);
    // @ts-expect-error deliberately wrong return type
    expect(() => grad(() => 3)(tensor([1]))).toThrow(/not a Tensor/);
  });
});

describe("vjp", () => {
  test("pullback of A·x gives Aᵀ·u and u·xᵀ, and can be called twice", () => {
    const A = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const x = tensor([1, -1]);
    const [y, pullback] = vjp(matvec, A, x);
    expect(y.toArray()).toEqual([-1, -1, -1]);
    const u = tensor([1, 0, 2]);
    for (let k = 0; k < 2; k++) {
      const [gA, gx] = pullback(u);
      expect(gx.toArray()).toEqual([11, 14]);
      expect(gA.toArray()).toEqual([
        [1, -1],
        [0, 0],
        [2, -2],
      ]);
    }
    expect(() => pullback(tensor([1, 2]))).toThrow(/cotangent has 2 entries/);
  });

  test("identity function: the cotangent passes through", () => {
    const [, pullback] = vjp((x: Tensor) => x, tensor([1, 2]));
    expect(pullback(tensor([3, 4]))[0].toArray()).toEqual([3, 4]);
  });

  test("sub with broadcasting agrees with central differences", () => {
    const r = gradcheck(
      (a: Tensor, b: Tensor) => sub(a, b),
      [
        tensor([
          [1, 2],
          [3, 4],
        ]),
        tensor([0.5, -1]),
      ],
    );
    expect(r.ok).toBe(true);
  });
});

// Runs the README's example and checks its results against values worked out by hand.
import { expect, test } from "vitest";
import {
  compile,
  grad,
  matvec,
  mul,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  valueAndGrad,
  vjp,
} from "./index.js";

test("README example", () => {
  const f = (x: Tensor) => sum(square(tanh(x)));
  const g = grad(f)(tensor([0.5, -1, 2]));
  // d/dx tanh²(x) = 2·tanh(x)·(1 − tanh²(x))
  [0.5, -1, 2].forEach((v, i) => {
    expect(g.data[i]).toBeCloseTo(2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2), 14);
  });

  const loss = (A: Tensor, x: Tensor, y: Tensor) => sum(square(sub(matvec(A, x), y)));
  const A = tensor([
    [1, 2],
    [3, 4],
  ]);
  const x = tensor([1, -1]);
  const y = tensor([0, 1]);
  const [value, [gA, gx]] = valueAndGrad(loss, [0, 1])(A, x, y);
  // r = A·x − y = [−1, −2]; loss = 5; ∂/∂A = 2·r·xᵀ; ∂/∂x = 2·Aᵀ·r
  expect(value.item()).toBe(5);
  expect(gA.toArray()).toEqual([
    [-2, 2],
    [-4, 4],
  ]);
  expect(gx.toArray()).toEqual([-14, -20]);

  const [out, pullback] = vjp((a: Tensor, b: Tensor) => mul(a, b), tensor([1, 2]), tensor([3, 4]));
  const [ga, gb] = pullback(tensor([1, 1]));
  expect(out.toArray()).toEqual([3, 8]);
  expect(ga.toArray()).toEqual([3, 4]);
  expect(gb.toArray()).toEqual([1, 2]);

  const c = compile((a: Tensor, v: Tensor) => tanh(matvec(a, v)), A, x);
  const yOut = new Float64Array(2);
  c.forward([A.data, x.data], yOut);
  expect(Array.from(yOut)).toEqual([Math.tanh(-1), Math.tanh(-1)]);
  const grads = [new Float64Array(4), new Float64Array(2)];
  c.vjp([A.data, x.data], Float64Array.of(1, 0), grads);
  const d = 1 - Math.tanh(-1) ** 2;
  expect(Array.from(grads[0])).toEqual([d, -d, 0, 0]);
  expect(Array.from(grads[1])).toEqual([d, 2 * d]);
});

// The backward pass takes its cotangent buffers from the kernels' pool and gives the internal
// ones back: results must not change from call to call, and a gradient already returned must
// never be reused as a later call's buffer.
import { describe, expect, it } from "vitest";
import { valueAndGrad, vjp } from "./grad.js";
import { mul, sub, sum, tanh } from "./ops/index.js";
import { type Tensor, tensor } from "./tensor.js";

// Large enough for the pool (≥ 2¹⁵ entries): every intermediate cotangent is pooled.
const n = 1 << 16;
const x0 = Float64Array.from({ length: n }, (_, i) => Math.sin(0.001 * i));
const f = (x: Tensor) => sum(mul(tanh(x), sub(x, 0.5)));
// d/dx [tanh(x)(x − ½)] = (1 − tanh²x)(x − ½) + tanh x
const exact = (x: number) => (1 - Math.tanh(x) ** 2) * (x - 0.5) + Math.tanh(x);

describe("pooled cotangents", () => {
  it("repeated gradients are identical, and earlier results stay intact", () => {
    const g = valueAndGrad(f);
    const [, first] = g(tensor(x0));
    const copy = first.data.slice();
    for (let k = 0; k < 3; k++) {
      const [, again] = g(tensor(x0));
      expect(again.data).not.toBe(first.data);
      expect(Array.from(again.data)).toEqual(Array.from(copy));
    }
    expect(Array.from(first.data)).toEqual(Array.from(copy));
    for (const i of [0, 1, n >> 1, n - 1]) expect(first.data[i]).toBeCloseTo(exact(x0[i]), 12);
  });

  it("a vjp pullback called twice is linear in its cotangent, the first result still intact", () => {
    const [, pull] = vjp((x: Tensor) => mul(tanh(x), x), tensor(x0));
    const [a] = pull(new Float64Array(n).fill(1));
    const copy = a.data.slice();
    const [b] = pull(new Float64Array(n).fill(2));
    expect(Array.from(b.data)).toEqual(Array.from(copy, (v) => 2 * v));
    expect(Array.from(a.data)).toEqual(Array.from(copy));
  });
});

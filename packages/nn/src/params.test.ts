/** Flat parameter vectors with named views: memory sharing, tape slices, combining blocks, errors. */
import { add, grad, mul, scalar, sum, type Tensor, tensor } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { NotContiguousError, ParamTreeError } from "./errors.js";
import { combine, countParams, flatten, type ParamTree } from "./params.js";

const leaf = (t: Tensor | ParamTree): Tensor => t as Tensor;
const node = (t: Tensor | ParamTree): ParamTree => t as ParamTree;

describe("flatten / unflatten / combine", () => {
  const build = () =>
    combine({
      a: tensor([
        [1, 2],
        [3, 4],
      ]),
      b: { c: tensor([5, 6, 7]), d: scalar(8) },
    });

  test("combine packs blocks in key order; flatten returns that vector without copying", () => {
    const ps = build();
    const { vector, entries } = flatten(ps);
    expect(Array.from(vector)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(entries.map((e) => [e.path, e.offset, e.size])).toEqual([
      ["a", 0, 4],
      ["b.c", 4, 3],
      ["b.d", 7, 1],
    ]);
    vector[5] = -6; // the vector and the leaves share memory
    expect(leaf(node(ps.b).c).data[1]).toBe(-6);
    leaf(ps.a).data[0] = 10;
    expect(vector[0]).toBe(10);
    expect(countParams(ps)).toBe(8);
  });

  test("unflatten(Float64Array) and unflatten(constant Tensor) give views of that vector", () => {
    const { unflatten } = flatten(build());
    const v = new Float64Array([9, 8, 7, 6, 5, 4, 3, 2]);
    const tree = unflatten(v);
    expect(leaf(tree.a).shape).toEqual([2, 2]);
    expect(leaf(node(tree.b).d).shape).toEqual([]);
    v[7] = 100;
    expect(leaf(node(tree.b).d).item()).toBe(100);
    const fromTensor = unflatten(tensor(v));
    v[0] = -1;
    expect(leaf(fromTensor.a).data[0]).toBe(-1);
  });

  test("unflatten(p) inside grad records slice/reshape, so the gradient lands in p's flat gradient", () => {
    const { unflatten, vector } = flatten(build());
    // L(p) = Σ a² + Σ c + 3·d  →  ∂L/∂a = 2a, ∂L/∂c = 1, ∂L/∂d = 3 (by hand)
    const g = grad((p: Tensor) => {
      const t = unflatten(p);
      const b = node(t.b);
      return add(add(sum(mul(leaf(t.a), leaf(t.a))), sum(leaf(b.c))), mul(leaf(b.d), scalar(3)));
    })(tensor(vector)) as Tensor;
    expect(Array.from(g.data)).toEqual([2, 4, 6, 8, 1, 1, 1, 3]);
  });

  test("the seed model's layout: a 49-parameter net next to a 100×100 matrix in one 10 049-vector", () => {
    const net = combine({
      layer_1: { weight: tensor(new Float64Array(20), [5, 4]), bias: tensor(new Float64Array(5)) },
      layer_2: { weight: tensor(new Float64Array(20), [4, 5]), bias: tensor(new Float64Array(4)) },
    });
    const P = new Float64Array(10_000).map((_, i) => i);
    const ps = combine({ nn: net, P: tensor(P, [100, 100]) });
    const { vector, entries } = flatten(ps);
    expect(vector.length).toBe(10_049);
    expect(entries.find((e) => e.path === "P")?.offset).toBe(49);
    expect(vector[49 + 101]).toBe(101);
    expect(leaf(ps.P).shape).toEqual([100, 100]);
  });

  test("a hand-assembled tree is not contiguous: NotContiguousError says to combine it", () => {
    const ps = { a: tensor([1, 2]), b: tensor([3]) };
    expect(() => flatten(ps)).toThrow(NotContiguousError);
    expect(() => flatten(ps)).toThrow(/combine/);
    expect(Array.from(flatten(combine(ps)).vector)).toEqual([1, 2, 3]);
  });

  test("bad trees and wrong lengths throw ParamTreeError with a fix", () => {
    expect(() => flatten({ a: 3 } as unknown as ParamTree)).toThrow(ParamTreeError);
    const { unflatten } = flatten(build());
    expect(() => unflatten(new Float64Array(7))).toThrow(/expected 8 entries/);
    expect(() => unflatten(tensor([[1, 2, 3, 4, 5, 6, 7, 8]]))).toThrow(/Fix/);
  });

  test("an empty tree flattens to an empty vector", () => {
    const { vector, unflatten } = flatten({});
    expect(vector.length).toBe(0);
    expect(unflatten(new Float64Array(0))).toEqual({});
  });
});

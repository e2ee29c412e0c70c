// Views and placement in compiled programs (lower.ts, program.ts, placement.ts): a slice or
// reshape step whose output is a window of an earlier step's buffer, or of an argument (rebound
// at each call), runs no forward; a step whose only reader is a concat writes into its window
// of the concat's output. References: the eager ops at the same inputs (forward values and VJPs), call after
// call with other argument arrays — the cases a stale binding would get wrong (cotangents up to
// the order of their sums, see expectSums) — and the arena
// bytes a program takes (a view takes no buffer of its own).
import { arenaStats } from "@udekit/kernels";
import { describe, expect, test } from "vitest";
import { compile } from "../compile.js";
import { vjp } from "../grad.js";
import { add, concat, exp, matvec, mul, reshape, slice, sum, tanh } from "../ops/index.js";
import { type Tensor, tensor } from "../tensor.js";

/** Long enough for argument views (256 entries and more). */
const N = 5000;

function data(seed: number, length: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

/** gradbench's ode right-hand side: slices of both arguments, a product, a concatenation. */
const chain = (y: Tensor, x: Tensor) => concat([slice(x, 0, 1), mul(slice(x, 1, N), slice(y, 0, N - 1))]);
/** Views of views: a slice of a slice, a reshape of a slice, and one short slice (copied). */
const nested = (y: Tensor, x: Tensor) => {
  const inner = slice(slice(x, 3, N), 2, N - 3); // x[5 … N)
  const m = reshape(slice(y, 0, 4900), [70, 70]);
  const short = slice(y, 10, 20); // under 256 entries: copied
  // Leading windows (offset 0, shorter than the argument) read by ops that use their length.
  const head = slice(y, 0, 4000);
  return concat([
    mul(inner, slice(y, 0, N - 5)),
    matvec(m, slice(x, 0, 70)),
    mul(short, short),
    reshape(sum(head), [1]),
    slice(x, 0, 300),
  ]);
};

/**
 * A cotangent equal to the eager one up to the order of its sums: a compiled pullback adds a
 * view's contributions straight into the argument's cotangent (grad-windows.ts), where the eager
 * tape first sums them per node. A stale window or binding is off by O(1), not by rounding.
 */
function expectSums(actual: Float64Array, expected: readonly number[]): void {
  const scale = Math.max(...expected.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(actual.length).toBe(expected.length);
  expect(worst).toBeLessThanOrEqual(1e-14 * scale);
}

function eager(f: (a: Tensor, b: Tensor) => Tensor, a: Float64Array, b: Float64Array, cot: Float64Array) {
  const [out, pullback] = vjp(f, tensor(a), tensor(b));
  const [ga, gb] = pullback(tensor(cot, out.shape));
  return { out: Array.from(out.data), ga: Array.from(ga.data), gb: Array.from(gb.data) };
}

/**
 * Placement: products and exps concatenated (placed), one of them also read by a sum (two
 * readers: not placed), a concat of concats, and a concat along columns (never placed).
 */
const placing = (y: Tensor, x: Tensor) => {
  const a = mul(slice(x, 0, 100), slice(y, 0, 100));
  const b = exp(slice(y, 100, 200));
  const c = tanh(slice(x, 100, 300));
  const inner = concat([a, b]);
  const cols = concat([reshape(c, [100, 2]), reshape(a, [100, 1])], 1);
  return concat([inner, mul(sum(c), c), reshape(cols, [300]), slice(y, 0, 3)]);
};

describe.each([
  ["slices of both arguments (gradbench's ode)", chain],
  ["views of views, a reshape of a slice, a short slice", nested],
  ["steps placed into their concat's output", placing],
] as const)("%s", (_name, f) => {
  // Three pairs of argument arrays in rotation: more than the two views a leaf view keeps.
  const pairs = [1, 2, 3].map((k) => [data(10 * k, N), data(10 * k + 1, N)] as const);
  const c = compile(f, tensor(pairs[0][0]), tensor(pairs[0][1]));
  const outSize = c.outputShape.reduce((a, b) => a * b, 1);
  const cot = data(99, outSize);
  const expected = pairs.map(([a, b]) => eager(f, a, b, cot));

  test("forward and vjp equal the eager ops, call after call with other arrays", () => {
    // Two arrays alternating (each view found in the cache, in either place), then a third.
    for (const i of [0, 1, 0, 1, 2, 0, 2, 1]) {
      const [a, b] = pairs[i];
      expect(Array.from(c.forward([a, b]))).toEqual(expected[i].out);
      const [ga, gb] = c.vjp([a, b], cot);
      expectSums(ga, expected[i].ga);
      expectSums(gb, expected[i].gb);
    }
  });

  test("a specialisation with the second argument fixed, prepared with each in turn", () => {
    const sp = c.specialise([false, true]);
    const pull = sp.pullback([true, true]);
    pairs.forEach(([a, b], i) => {
      sp.prepare([a, b]);
      expect(Array.from(sp.forward([a, b]))).toEqual(expected[i].out);
      const ga = new Float64Array(N);
      const gb = new Float64Array(N);
      pull([a, b], cot, [ga, gb]);
      expectSums(ga, expected[i].ga);
      expectSums(gb, expected[i].gb);
    });
  });
});

test("a view that is the output is copied: the result never aliases an argument", () => {
  const f = (y: Tensor) => slice(y, 0, N - 1);
  const c = compile(f, tensor(data(1, N)));
  const y = data(2, N);
  const out = c.forward([y]);
  expect(Array.from(out)).toEqual(Array.from(y.subarray(0, N - 1)));
  y[0] = 123;
  expect(out[0]).not.toBe(123);
});

test("a reshape or slice of a step's output takes no arena buffer of its own", () => {
  // f = sum(tanh(v) + reshape(slice(tanh(v)))) with the views, against the same arithmetic
  // without them: the view steps' outputs cost nothing beyond their cotangents.
  const n = 4096;
  const withViews = (v: Tensor) => {
    const t = tanh(v);
    return sum(add(t, reshape(slice(reshape(t, [64, 64]), 0, 64), [n])));
  };
  const plain = (v: Tensor) => {
    const t = tanh(v);
    return sum(add(t, t));
  };
  const v = tensor(data(5, n));
  const bytes = (g: (v: Tensor) => Tensor) => {
    const before = arenaStats().usedBytes;
    const c = compile(g, v);
    const used = arenaStats().usedBytes - before;
    expect(c.forward([v.data])[0]).toBeCloseTo(
      2 * Array.from(v.data).reduce((a, x) => a + Math.tanh(x), 0),
      9,
    );
    c.dispose();
    return used;
  };
  // Three view steps (reshape, slice, reshape), each with a cotangent buffer (n entries) only.
  expect(bytes(withViews) - bytes(plain)).toBe(3 * n * 8);
});

test("a step placed into its concat takes no arena buffer of its own", () => {
  // g = concat([tanh(v), exp(v)]) places both; h = concat([tanh(v), exp(v)]) + 0·tanh(v)… is
  // avoided: the same arithmetic with the concat read through a sum of its parts instead.
  const n = 1000;
  const placed = (v: Tensor) => sum(concat([tanh(v), exp(v)]));
  const unplaced = (v: Tensor) => {
    const t = tanh(v);
    const e = exp(v);
    return add(sum(concat([t, e])), mul(0, add(sum(t), sum(e))));
  };
  const v = tensor(data(6, n));
  const bytes = (g: (v: Tensor) => Tensor) => {
    const before = arenaStats().usedBytes;
    const c = compile(g, v);
    const used = arenaStats().usedBytes - before;
    c.dispose();
    return used;
  };
  // The unplaced program has the placed one's buffers plus tanh's and exp's outputs (n each)
  // and the cotangents of its five extra steps (two sums, add, mul, add: one entry each).
  expect(bytes(unplaced) - bytes(placed)).toBeGreaterThanOrEqual(2 * n * 8);
});

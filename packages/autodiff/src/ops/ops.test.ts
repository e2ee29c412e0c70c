// Every op in the registry against float64 central differences, through the dot-product
// identity ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩ on random inputs of several shapes (fast-check), including
// broadcasting. An op registered without a case below fails the "every op has a case" test.
//
// Tolerance: checkVjp uses central differences with eps = 1e-6 on inputs of magnitude ≤ ~3
// and smooth functions (kinks and poles are kept ≥ 0.1 away), so truncation (~eps²·f''')
// and rounding (~1e-16/eps) errors are ≤ ~1e-9 relative; rtol 1e-6 leaves a wide margin
// while still catching any wrong rule (those give O(1) errors).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { compile } from "../compile.js";
import { vjp } from "../grad.js";
import { checkVjp } from "../gradcheck.js";
import { listOps } from "../registry.js";
import type { Shape } from "../shape.js";
import { Tensor } from "../tensor.js";
import * as ops from "./index.js";

type Case = fc.Arbitrary<{ inputs: Tensor[]; apply: (...xs: Tensor[]) => Tensor; label: string }>;

const dim = fc.integer({ min: 1, max: 5 });
const values = (n: number, lo: number, hi: number) =>
  fc.array(fc.double({ min: lo, max: hi, noNaN: true }), { minLength: n, maxLength: n });
/** Values with |x| ≥ 0.1, away from the kinks of abs/relu and the pole of 1/x. */
const awayFromZero = (n: number) =>
  fc.array(
    fc.tuple(fc.double({ min: 0.1, max: 3, noNaN: true }), fc.boolean()).map(([v, s]) => (s ? v : -v)),
    { minLength: n, maxLength: n },
  );
const shapeArb: fc.Arbitrary<Shape> = fc.oneof(
  fc.constant([] as Shape),
  dim.map((n) => [n] as Shape),
  fc.tuple(dim, dim).map(([m, n]) => [m, n] as Shape),
);
const size = (s: Shape) => s.reduce((a, b) => a * b, 1);
const t = (v: number[], s: Shape) => new Tensor(Float64Array.from(v), s);

function unary(apply: (x: Tensor) => Tensor, lo = -3, hi = 3, away = false): Case {
  return shapeArb.chain((s) =>
    (away ? awayFromZero(size(s)) : values(size(s), lo, hi)).map((v) => ({
      inputs: [t(v, s)],
      apply,
      label: JSON.stringify(s),
    })),
  );
}

/** Pairs of shapes that broadcast: equal, scalar with anything, [n] with [m, n], [m, 1] with [m, n]. */
const broadcastPair: fc.Arbitrary<[Shape, Shape]> = fc
  .tuple(dim, dim, fc.integer({ min: 0, max: 6 }))
  .map(([m, n, kind]) => {
    const pairs: [Shape, Shape][] = [
      [
        [m, n],
        [m, n],
      ],
      [[n], [n]],
      [[], [m, n]],
      [[m, n], []],
      [[n], [m, n]],
      [
        [m, n],
        [m, 1],
      ],
      [
        [m, 1],
        [1, n],
      ],
    ];
    return pairs[kind];
  });

function binary(apply: (a: Tensor, b: Tensor) => Tensor, bAwayFromZero = false): Case {
  return broadcastPair.chain(([sa, sb]) =>
    fc
      .tuple(values(size(sa), -3, 3), bAwayFromZero ? awayFromZero(size(sb)) : values(size(sb), -3, 3))
      .map(([a, b]) => ({
        inputs: [t(a, sa), t(b, sb)],
        apply,
        label: `${JSON.stringify(sa)} ${JSON.stringify(sb)}`,
      })),
  );
}

const matrix = (m: number, n: number) => values(m * n, -2, 2).map((v) => t(v, [m, n]));
const vector = (n: number) => values(n, -2, 2).map((v) => t(v, [n]));

const CASES: Record<string, Case> = {
  add: binary(ops.add),
  sub: binary(ops.sub),
  mul: binary(ops.mul),
  div: binary(ops.div, true),
  neg: unary(ops.neg),
  identity: unary(ops.identity),
  square: unary(ops.square),
  exp: unary(ops.exp, -2, 2),
  log: unary(ops.log, 0.1, 3),
  sqrt: unary(ops.sqrt, 0.1, 3),
  abs: unary(ops.abs, 0, 0, true),
  tanh: unary(ops.tanh),
  sigmoid: unary(ops.sigmoid),
  relu: unary(ops.relu, 0, 0, true),
  softplus: unary(ops.softplus),
  gelu: unary(ops.gelu),
  sin: unary(ops.sin),
  cos: unary(ops.cos),
  scale: fc.tuple(unary(ops.identity), fc.double({ min: -3, max: 3, noNaN: true })).map(([c, alpha]) => ({
    ...c,
    apply: (x: Tensor) => ops.scale(x, alpha),
    label: `${c.label} α=${alpha}`,
  })),
  pow: fc
    .tuple(unary(ops.identity, 0.1, 3), fc.double({ min: -2.5, max: 3.5, noNaN: true }))
    .map(([c, p]) => ({ ...c, apply: (x: Tensor) => ops.pow(x, p), label: `${c.label} p=${p}` })),
  matmul: fc
    .tuple(dim, dim, dim)
    .chain(([m, k, n]) => fc.tuple(matrix(m, k), matrix(k, n)))
    .map(([A, B]) => ({ inputs: [A, B], apply: ops.matmul, label: `${A.shape} × ${B.shape}` })),
  matvec: fc
    .tuple(dim, dim)
    .chain(([m, n]) => fc.tuple(matrix(m, n), vector(n)))
    .map(([A, x]) => ({ inputs: [A, x], apply: ops.matvec, label: `${A.shape} × ${x.shape}` })),
  transpose: unary(ops.transpose),
  sum: fc
    .tuple(unary(ops.identity), fc.constantFrom(undefined, 0, 1))
    .filter(([c, axis]) => axis === undefined || c.inputs[0].rank > axis)
    .map(([c, axis]) => ({ ...c, apply: (x: Tensor) => ops.sum(x, axis), label: `${c.label} axis=${axis}` })),
  mean: fc
    .tuple(unary(ops.identity), fc.constantFrom(undefined, 0, 1))
    .filter(([c, axis]) => axis === undefined || c.inputs[0].rank > axis)
    .map(([c, axis]) => ({
      ...c,
      apply: (x: Tensor) => ops.mean(x, axis),
      label: `${c.label} axis=${axis}`,
    })),
  reshape: fc
    .tuple(dim, dim)
    .chain(([m, n]) => matrix(m, n))
    .map((A) => ({ inputs: [A], apply: (x: Tensor) => ops.reshape(x, [x.size]), label: `${A.shape}` })),
  slice: fc
    .tuple(unary(ops.identity), fc.nat(), fc.nat())
    .filter(([c]) => c.inputs[0].rank > 0)
    .map(([c, i, j]) => {
      const len = c.inputs[0].shape[0];
      const start = i % len;
      const end = start + (j % (len - start + 1));
      return { ...c, apply: (x: Tensor) => ops.slice(x, start, end), label: `${c.label} [${start}, ${end})` };
    }),
  concat: fc
    .tuple(dim, dim, dim, fc.constantFrom(0, 1))
    .chain(([m, n, k, axis]) =>
      fc.tuple(matrix(m, n), axis === 0 ? matrix(k, n) : matrix(m, k), fc.constant(axis)),
    )
    .map(([a, b, axis]) => ({
      inputs: [a, b],
      apply: (x: Tensor, y: Tensor) => ops.concat([x, y, x], axis),
      label: `${a.shape} ${b.shape} axis=${axis}`,
    })),
  // stack of two equally shaped scalars or vectors (one used twice), along a valid axis.
  stack: fc
    .tuple(
      fc.oneof(
        fc.constant([] as Shape),
        dim.map((n) => [n] as Shape),
      ),
      fc.constantFrom(0, 1),
    )
    .chain(([s, axis]) =>
      fc.tuple(values(size(s), -3, 3), values(size(s), -3, 3)).map(([a, b]) => ({
        inputs: [t(a, s), t(b, s)],
        apply: (x: Tensor, y: Tensor) => ops.stack([x, y, x], s.length === 0 ? 0 : axis),
        label: `${s} axis=${s.length === 0 ? 0 : axis}`,
      })),
    ),
  // unstack along a valid axis, every piece recombined (the first twice) so each one's rule runs.
  unstack: fc
    .tuple(
      fc.oneof(
        dim.map((n) => [n] as Shape),
        fc.tuple(dim, dim).map(([m, n]) => [m, n] as Shape),
      ),
      fc.constantFrom(0, 1),
    )
    .chain(([s, axis]) =>
      values(size(s), -3, 3).map((v) => {
        const a = s.length === 1 ? 0 : axis;
        return {
          inputs: [t(v, s)],
          apply: (x: Tensor) => {
            const parts = ops.unstack(x, a);
            return ops.stack([parts[0], ...parts], 0);
          },
          label: `${s} axis=${a}`,
        };
      }),
    ),
  diag: dim.chain(vector).map((v) => ({ inputs: [v], apply: ops.diag, label: `${v.shape}` })),
  diagonal: dim
    .chain((n) => matrix(n, n))
    .map((A) => ({ inputs: [A], apply: ops.diagonal, label: `${A.shape}` })),
};

describe("op registry", () => {
  test("every registered op has a dot-product check here", () => {
    expect(listOps().filter((name) => !(name in CASES))).toEqual([]);
  });

  test.each(Object.keys(CASES))("%s: ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩ against central differences", (name) => {
    fc.assert(
      fc.property(CASES[name], ({ inputs, apply }) => {
        // Fan-out: the op is applied twice to the same inputs, so a rule that assigns
        // instead of accumulating into its input gradients gives 0.5 instead of 1.5.
        const twice = (...xs: Tensor[]) => ops.add(apply(...xs), ops.scale(apply(...xs), 0.5));
        const r = checkVjp(twice, inputs, { rtol: 1e-6, atol: 1e-9 });
        return r.ok;
      }),
      { numRuns: 40, seed: 42 },
    );
  });

  // A compiled pullback runs only the forward work its VJPs declare they read (vjpReads);
  // a wrong declaration would leave a stale value from the traced point in place. So:
  // compile at one point, pull back at another, compare with eager mode bit for bit.
  test.each(Object.keys(CASES))("%s: compiled pullback at a new point equals eager mode", (name) => {
    fc.assert(
      fc.property(CASES[name], ({ inputs, apply }) => {
        // Inputs pass through scale(x, 1) (exact) so that they are computed values, not arguments.
        const viaOps = (...xs: Tensor[]) => apply(...xs.map((x) => ops.scale(x, 1)));
        const twice = (...xs: Tensor[]) => ops.add(viaOps(...xs), ops.scale(viaOps(...xs), 0.5));
        const c = compile(twice, ...inputs);
        const moved = inputs.map(
          (x) =>
            new Tensor(
              x.data.map((v) => 1.1 * v),
              x.shape,
            ),
        );
        const [out, pullback] = vjp(twice, ...moved);
        const u = out.data.map((_, i) => Math.cos(i + 1));
        const eager = pullback(u);
        const grads = c.vjp(
          moved.map((x) => x.data),
          u,
        );
        return grads.every((g, i) => g.every((v, k) => Object.is(v, eager[i].data[k])));
      }),
      { numRuns: 15, seed: 7 },
    );
  });
});

describe("broadcast arithmetic values", () => {
  // a [m, n] with b [n] (a bias down the rows, add and sub take their own loop for it), with b
  // [m, 1] and with a scalar: values against a plain loop over (i, j), eagerly and compiled.
  const m = 3;
  const n = 4;
  const a = Float64Array.from({ length: m * n }, (_, i) => 0.5 * i - 2);
  const cases: [string, Shape, (i: number, j: number) => number][] = [
    ["[n]", [n], (_i, j) => 10 * (j + 1)],
    ["[m, 1]", [m, 1], (i) => 100 * (i + 1)],
    ["scalar", [], () => 7],
  ];
  const fns: [string, (x: Tensor, y: Tensor) => Tensor, (x: number, y: number) => number][] = [
    ["add", ops.add, (x, y) => x + y],
    ["sub", ops.sub, (x, y) => x - y],
    ["mul", ops.mul, (x, y) => x * y],
    ["div", ops.div, (x, y) => x / y],
  ];
  for (const [bName, bShape, bAt] of cases) {
    const bData = Float64Array.from({ length: bShape.reduce((p, d) => p * d, 1) }, (_, k) =>
      bShape.length === 2 ? bAt(k, 0) : bAt(0, k),
    );
    for (const [name, f, ref] of fns) {
      test(`${name}: [m, n] with ${bName}, and ${bName} with [m, n]`, () => {
        const A = new Tensor(a, [m, n]);
        const B = new Tensor(bData, bShape);
        const want = Float64Array.from({ length: m * n }, (_, k) => ref(a[k], bAt(Math.floor(k / n), k % n)));
        const wantSwapped = Float64Array.from({ length: m * n }, (_, k) =>
          ref(bAt(Math.floor(k / n), k % n), a[k]),
        );
        expect(f(A, B).data).toEqual(want);
        expect(f(B, A).data).toEqual(wantSwapped);
        const c = compile((x, y) => f(x, y), A, B);
        expect(Array.from(c.forward([a, bData]))).toEqual(Array.from(want));
      });
    }
  }
});

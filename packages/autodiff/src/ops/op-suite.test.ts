// Registry-wide: every op in ALL_OPS passes @udekit/autodiff/testing's op suite (dot-product
// test against central differences, fan-out, aliased inputs, accumulate-not-overwrite on the
// rule itself, compiled = eager) on seeded random inputs of several shapes, broadcasting
// included. An op in ALL_OPS without a case here fails the first test.
//
// Each op's cases run on a module instance of the package imported inside its test
// (vi.resetModules + dynamic import). The op definitions are code that runs at import, and a
// mutation-testing run (TESTING.md) switches a mutant on only when the tests start: a mutated
// definition is judged only by an instance loaded inside a test.
//
// Tolerances: the suite's defaults. The dot-product check uses central differences with
// eps = 1e-6 on inputs of magnitude ≤ 3 kept ≥ 0.1 from kinks and poles, so truncation
// (~eps²·f''') and rounding (~1e-16/eps) errors are ≤ ~1e-9 relative against rtol 1e-6; the
// analytic-vs-analytic checks differ only by the order of additions (rtol 1e-12); compiled
// and eager run the same kernels in the same order (bit for bit).
import { describe, expect, test, vi } from "vitest";
import { pseudoRandom } from "../gradcheck.js";
import type { Shape } from "../shape.js";
import { Tensor } from "../tensor.js";
import * as staticOps from "./index.js";

type Ops = typeof staticOps;
type Fn = (...xs: Tensor[]) => Tensor;
interface Case {
  label: string;
  apply: Fn;
  inputs: Tensor[];
}

/** The cases of every op, built from one module instance's ops and Tensor (seeds fixed). */
function makeCases(ops: Ops, TensorCtor: typeof Tensor): Record<string, Case[]> {
  let seed = 1;
  const size = (s: Shape) => s.reduce((a, b) => a * b, 1);
  /** Seeded entries in [lo, hi). */
  const rand = (s: Shape, lo = -3, hi = 3) =>
    new TensorCtor(
      pseudoRandom(size(s), seed++).map((v) => lo + (v + 0.5) * (hi - lo)),
      s,
    );
  /** Seeded entries with 0.1 ≤ |x| < 3 (away from the kinks of abs/relu and the pole of 1/x). */
  const away = (s: Shape) =>
    new TensorCtor(
      pseudoRandom(size(s), seed++).map((v) => Math.sign(v || 1) * (0.1 + 5.8 * Math.abs(v))),
      s,
    );

  const SHAPES: Shape[] = [[], [5], [3, 4]];
  /** Pairs that broadcast: equal, scalar with a matrix, a row vector with a matrix, a column with a matrix, a column with a row. */
  const PAIRS: [Shape, Shape][] = [
    [
      [3, 4],
      [3, 4],
    ],
    [[5], [5]],
    [[], [3, 4]],
    [[3, 4], []],
    [[4], [3, 4]],
    [
      [3, 4],
      [3, 1],
    ],
    [
      [3, 1],
      [1, 4],
    ],
  ];

  const unary = (apply: Fn, make: (s: Shape) => Tensor = (s) => rand(s)): Case[] =>
    SHAPES.map((s) => ({ label: JSON.stringify(s), apply, inputs: [make(s)] }));
  const binary = (apply: Fn, makeB: (s: Shape) => Tensor = (s) => rand(s)): Case[] =>
    PAIRS.map(([a, b]) => ({
      label: `${JSON.stringify(a)} ${JSON.stringify(b)}`,
      apply,
      inputs: [rand(a), makeB(b)],
    }));

  return {
    add: binary((a, b) => ops.add(a, b)),
    sub: binary((a, b) => ops.sub(a, b)),
    mul: binary((a, b) => ops.mul(a, b)),
    div: binary((a, b) => ops.div(a, b), away),
    neg: unary(ops.neg),
    identity: unary(ops.identity),
    square: unary(ops.square),
    exp: unary(ops.exp, (s) => rand(s, -2, 2)),
    log: unary(ops.log, (s) => rand(s, 0.1, 3)),
    sqrt: unary(ops.sqrt, (s) => rand(s, 0.1, 3)),
    abs: unary(ops.abs, away),
    tanh: unary(ops.tanh),
    sigmoid: unary(ops.sigmoid),
    relu: unary(ops.relu, away),
    softplus: unary(ops.softplus),
    gelu: unary(ops.gelu),
    sin: unary(ops.sin),
    cos: unary(ops.cos),
    scale: unary((x) => ops.scale(x, -1.7)),
    pow: [
      ...unary(
        (x) => ops.pow(x, 2.5),
        (s) => rand(s, 0.1, 3),
      ),
      ...unary(
        (x) => ops.pow(x, -1.5),
        (s) => rand(s, 0.1, 3),
      ),
    ],
    matmul: [
      { label: "[3, 4] × [4, 2]", apply: ops.matmul, inputs: [rand([3, 4], -2, 2), rand([4, 2], -2, 2)] },
      { label: "[3, 3] × [3, 3]", apply: ops.matmul, inputs: [rand([3, 3], -2, 2), rand([3, 3], -2, 2)] },
    ],
    matvec: [
      { label: "[3, 4] × [4]", apply: ops.matvec, inputs: [rand([3, 4], -2, 2), rand([4], -2, 2)] },
      { label: "[1, 1] × [1]", apply: ops.matvec, inputs: [rand([1, 1], -2, 2), rand([1], -2, 2)] },
    ],
    transpose: [
      { label: "[3, 4]", apply: ops.transpose, inputs: [rand([3, 4])] },
      { label: "[2, 2]", apply: ops.transpose, inputs: [rand([2, 2])] },
    ],
    sum: [
      ...unary((x) => ops.sum(x)),
      { label: "[3, 4] axis 0", apply: (x) => ops.sum(x, 0), inputs: [rand([3, 4])] },
      { label: "[3, 4] axis 1", apply: (x) => ops.sum(x, 1), inputs: [rand([3, 4])] },
    ],
    mean: [
      ...unary((x) => ops.mean(x)),
      { label: "[3, 4] axis 0", apply: (x) => ops.mean(x, 0), inputs: [rand([3, 4])] },
      { label: "[3, 4] axis 1", apply: (x) => ops.mean(x, 1), inputs: [rand([3, 4])] },
    ],
    reshape: [
      { label: "[3, 4] → [12]", apply: (x) => ops.reshape(x, [12]), inputs: [rand([3, 4])] },
      { label: "[6] → [2, 3]", apply: (x) => ops.reshape(x, [2, 3]), inputs: [rand([6])] },
    ],
    slice: [
      { label: "[6] [1, 4)", apply: (x) => ops.slice(x, 1, 4), inputs: [rand([6])] },
      { label: "[4, 3] [2, 4)", apply: (x) => ops.slice(x, 2, 4), inputs: [rand([4, 3])] },
    ],
    concat: [
      {
        label: "[2, 3] [1, 3] [2, 3] axis 0",
        apply: (a, b) => ops.concat([a, b, a], 0),
        inputs: [rand([2, 3]), rand([1, 3])],
      },
      {
        label: "[2, 3] [2, 1] axis 1",
        apply: (a, b) => ops.concat([b, a], 1),
        inputs: [rand([2, 3]), rand([2, 1])],
      },
      { label: "[3] [3] axis 0", apply: (a, b) => ops.concat([a, b], 0), inputs: [rand([3]), rand([3])] },
    ],
    stack: [
      { label: "[] [] [] → [3]", apply: (a, b) => ops.stack([a, b, a]), inputs: [rand([]), rand([])] },
      { label: "[4] [4] axis 0", apply: (a, b) => ops.stack([b, a], 0), inputs: [rand([4]), rand([4])] },
      {
        label: "[4] [4] [4] axis 1",
        apply: (a, b) => ops.stack([a, b, b], 1),
        inputs: [rand([4]), rand([4])],
      },
    ],
    unstack: [
      // Every piece used (two of them twice), recombined so the output depends on all of them.
      {
        label: "[3] → scalars",
        apply: (x) => {
          const [a, b, c] = ops.unstack(x);
          return ops.stack([ops.mul(a, b), c, ops.add(a, b)]);
        },
        inputs: [rand([3])],
      },
      {
        label: "[3, 4] rows",
        apply: (x) => ops.stack(ops.unstack(x, 0).reverse(), 0),
        inputs: [rand([3, 4])],
      },
      {
        label: "[3, 4] columns",
        apply: (x) => ops.concat(ops.unstack(x, 1).slice(1)),
        inputs: [rand([3, 4])],
      },
    ],
    diag: [{ label: "[4]", apply: ops.diag, inputs: [rand([4])] }],
    diagonal: [{ label: "[4, 4]", apply: ops.diagonal, inputs: [rand([4, 4])] }],
  };
}

/** A module instance of the package loaded now, not the one this file imported at its top. */
async function freshInstance() {
  vi.resetModules();
  const ops: Ops = await import("./index.js");
  const { Tensor: TensorCtor } = await import("../tensor.js");
  const { checkOpSuite } = await import("../testing/index.js");
  return { cases: makeCases(ops, TensorCtor), checkOpSuite };
}

describe("op suite on every op in ALL_OPS", () => {
  const names = Object.keys(makeCases(staticOps, Tensor));
  test("every op in ALL_OPS has cases here", () => {
    expect(staticOps.ALL_OPS.map((op) => op.definition.name).filter((name) => !names.includes(name))).toEqual(
      [],
    );
  });

  test.each(names)("%s", async (name) => {
    const { cases, checkOpSuite } = await freshInstance();
    for (const c of cases[name]) {
      const report = checkOpSuite(c.apply, c.inputs, { label: `${name} ${c.label}` });
      expect(report.failures).toEqual([]);
      // The case really applies the op, so the accumulate check ran its rule.
      expect(report.ops).toContain(name);
    }
  });
});

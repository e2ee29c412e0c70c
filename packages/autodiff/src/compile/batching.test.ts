// Registry-wide: for every op in ALL_OPS that declares `outerVjp` (its VJP into a matrix input
// is a rank-1 update a batched pullback may stack) or `viewOf` (its output is a window of its
// input, which batching sees through), a batched accumulating pullback adds the same cotangents
// as an unbatched one — plain and weighted, with the matrix as an argument and as a view of a
// packed argument. A wrong hint (offset, right-hand vector, scale) sends stacked updates to the
// wrong place or with the wrong size; an op that declares one without a case here fails the
// first test. Each case also checks that something really was stacked (the hint is exercised).
//
// Each op's cases run on a module instance imported inside its test (vi.resetModules + dynamic
// import): the hints are declared at import, and a mutation-testing run (TESTING.md) switches a
// mutant on only when the tests start.
import { describe, expect, test, vi } from "vitest";
import type { compile as Compile } from "../compile.js";
import { pseudoRandom } from "../gradcheck.js";
import * as staticOps from "../ops/index.js";
import { Tensor } from "../tensor.js";

type Ops = typeof staticOps;

type Fn = (...xs: Tensor[]) => Tensor;
interface Case {
  label: string;
  f: Fn;
  inputs: Tensor[];
}

/** The cases of every declaring op, built from one module instance's ops and Tensor (seeds fixed). */
function makeCases(ops: Ops, TensorCtor: typeof Tensor): Record<string, Case[]> {
  let seed = 1;
  const rand = (shape: number[]) =>
    new TensorCtor(
      pseudoRandom(
        shape.reduce((a, b) => a * b, 1),
        seed++,
      ),
      shape,
    );

  const m = 6;
  const n = 5;
  /** p = [head (3); matrix m×n; tail (2)]: the matrix is a window of a packed argument. */
  const packed = (p: Tensor) => ops.reshape(ops.slice(p, 3, 3 + m * n), [m, n]);
  const P = () => rand([m, n]);
  const p = () => rand([3 + m * n + 2]);
  const u = () => rand([n]);

  return {
    matvec: [
      { label: "A·x, A an argument", f: (A, x) => ops.matvec(A, x), inputs: [P(), u()] },
      { label: "A·x, A a view of p", f: (q, x) => ops.matvec(packed(q), x), inputs: [p(), u()] },
      // A matrix used twice: two sites stacking into one argument.
      {
        label: "A·x + A·(x∘x)",
        f: (A, x) => ops.add(ops.matvec(A, x), ops.matvec(A, ops.mul(x, x))),
        inputs: [P(), u()],
      },
    ],
    sum: [
      { label: "row sums of an argument", f: (A, y) => ops.mul(ops.sum(A, 1), y), inputs: [P(), rand([m])] },
      {
        label: "row sums of a view",
        f: (q, y) => ops.mul(ops.sum(packed(q), 1), y),
        inputs: [p(), rand([m])],
      },
    ],
    mean: [
      {
        label: "row means of an argument",
        f: (A, y) => ops.mul(ops.mean(A, 1), y),
        inputs: [P(), rand([m])],
      },
      {
        label: "row means of a view",
        f: (q, y) => ops.mul(ops.mean(packed(q), 1), y),
        inputs: [p(), rand([m])],
      },
    ],
    reshape: [
      {
        label: "a flat argument reshaped to a matrix",
        f: (q, x) => ops.matvec(ops.reshape(q, [m, n]), x),
        inputs: [rand([m * n]), u()],
      },
      {
        label: "a matrix reshaped twice",
        f: (A, x) => ops.matvec(ops.reshape(ops.reshape(A, [n, m]), [m, n]), x),
        inputs: [P(), u()],
      },
    ],
    slice: [
      { label: "a window of a vector", f: (q, x) => ops.matvec(packed(q), x), inputs: [p(), u()] },
      {
        label: "rows of a matrix (offset start·columns)",
        f: (A, x) => ops.matvec(ops.slice(A, 2, 5), x),
        inputs: [rand([m + 2, n]), u()],
      },
      {
        label: "a slice of a slice",
        f: (q, y) =>
          ops.mul(ops.sum(ops.reshape(ops.slice(ops.slice(q, 1, 3 + m * n), 2, 2 + m * n), [m, n]), 1), y),
        inputs: [p(), rand([m])],
      },
    ],
  };
}

const declaring = staticOps.ALL_OPS.filter(
  (op) => op.definition.outerVjp !== undefined || op.definition.viewOf !== undefined,
).map((op) => op.definition.name);

/**
 * Runs `calls` accumulating pullbacks with respect to every input, unbatched and with batch 3
 * (so stacks flush when full and at the end), optionally weighted; returns the largest
 * difference relative to the largest entry, and whether the batched grads lagged before the
 * final flush (proof that something was stacked).
 */
function compare(compile: typeof Compile, c: Case, weighted: boolean): { rel: number; deferred: boolean } {
  const compiled = compile(c.f, ...c.inputs);
  const wrt = c.inputs.map(() => true);
  const plain = compiled.pullback(wrt, { accumulate: true });
  const batched = compiled.pullback(wrt, { accumulate: true, batch: 3 });
  const ref = c.inputs.map((x) => new Float64Array(x.size).fill(0.5));
  const got = c.inputs.map((x) => new Float64Array(x.size).fill(0.5));
  const calls = 7;
  const out = compiled.outputShape.reduce((a, b) => a * b, 1);
  for (let call = 0; call < calls; call++) {
    const args = c.inputs.map((x, i) => pseudoRandom(x.size, 100 + 10 * call + i));
    const cot = pseudoRandom(out, 200 + call);
    const weights = weighted ? c.inputs.map((_, i) => 0.25 + 0.5 * i + 0.1 * call) : undefined;
    plain(args, cot, ref, weights);
    batched(args, cot, got, weights);
  }
  let deferred = false;
  ref.forEach((r, i) => {
    for (let k = 0; k < r.length; k++) if (r[k] !== got[i][k]) deferred = true;
  });
  batched.flush(got);
  let diff = 0;
  let scale = 0;
  ref.forEach((r, i) => {
    for (let k = 0; k < r.length; k++) {
      diff = Math.max(diff, Math.abs(r[k] - got[i][k]));
      scale = Math.max(scale, Math.abs(r[k]));
    }
  });
  compiled.dispose();
  return { rel: diff / scale, deferred };
}

describe("batched pullbacks equal unbatched ones for every op declaring outerVjp or viewOf", () => {
  test("every such op in ALL_OPS has cases here", () => {
    expect(declaring.length).toBeGreaterThan(0);
    const names = Object.keys(makeCases(staticOps, Tensor));
    expect(declaring.filter((name) => !names.includes(name))).toEqual([]);
  });

  test.each(declaring)("%s", async (name) => {
    vi.resetModules();
    const ops: Ops = await import("../ops/index.js");
    const { Tensor: TensorCtor } = await import("../tensor.js");
    const { compile } = await import("../compile.js");
    for (const c of makeCases(ops, TensorCtor)[name]) {
      for (const weighted of [false, true]) {
        const { rel, deferred } = compare(compile, c, weighted);
        // The same products added in another order (stacked into one matrix product instead
        // of 7 rank-1 updates): entries are sums of ≤ 14 terms of O(1), so the two sums agree
        // to a few ulps of the largest entry; a misplaced or mis-scaled update is off by O(1).
        expect(rel, `${name}: ${c.label}${weighted ? " (weighted)" : ""}`).toBeLessThan(1e-14);
        expect(
          deferred,
          `${name}: ${c.label}: nothing was stacked, so the case does not exercise batching`,
        ).toBe(true);
      }
    }
  });
});

// Deferred fixed steps (deferred-fixed.ts): a batched, accumulating pullback of a specialised
// program adds each call's cotangent of the fixed steps into an accumulator and runs their VJPs
// once, at flush. The sum must be what per-call VJPs give (up to rounding: it is added in another
// order), for weighted calls, across a prepare with new fixed values, and when the fixed steps
// lead to two arguments (then nothing is deferred).
import { describe, expect, test } from "vitest";
import { compile } from "../compile.js";
import { defineOp, READS_NOTHING } from "../define-op.js";
import { CompileError } from "../errors.js";
import { pseudoRandom } from "../gradcheck.js";
import {
  add,
  concat,
  diag,
  exp,
  matmul,
  matvec,
  mul,
  reshape,
  slice,
  sub,
  sum,
  tanh,
  transpose,
} from "../ops/index.js";
import { type Tensor, tensor } from "../tensor.js";
import { liveEntries } from "./dce.js";
import { lower } from "./lower.js";
import { planPullback } from "./plan-pullback.js";
import { specialise } from "./specialise.js";
import { trace } from "./trace.js";

const n = 6;
let seed = 100;
const rand = (shape: number[], scale = 1): Tensor =>
  tensor(
    pseudoRandom(
      shape.reduce((a, b) => a * b, 1),
      seed++,
    ).map((v) => v * scale),
    shape,
  );

/** A(P)·u with A = P − diag(P·1): A is fixed, a frontier whose contribution is stacked (matvec). */
const laplacian = (u: Tensor, P: Tensor) => matvec(sub(P, diag(sum(P, 1))), u);
/** A packed UDE-like right-hand side: fixed transposes (received in place), a stacked P, row sums. */
const packedNet = (u: Tensor, p: Tensor) => {
  const P = reshape(slice(p, 0, n * n), [n, n]);
  const W1 = reshape(slice(p, n * n, n * n + 6), [3, 2]);
  const b1 = slice(p, n * n + 6, n * n + 9);
  const W2 = reshape(slice(p, n * n + 9, n * n + 15), [2, 3]);
  const H = tanh(add(matmul(reshape(u, [3, 2]), transpose(W1)), b1));
  return add(reshape(matmul(H, transpose(W2)), [n]), sub(matvec(P, u), mul(sum(P, 1), u)));
};
/** A fixed elementwise chain read in place: k = exp(p), f = k∘u + p∘u∘u. */
const rates = (u: Tensor, p: Tensor) => add(mul(exp(p), u), mul(mul(p, u), u));
/** A fixed concat of two nonlinear pieces of p (placed into the concat's output), read in place. */
const pieces = (u: Tensor, p: Tensor) =>
  mul(
    concat([exp(slice(p, 0, n / 2)), tanh(slice(p, n / 2, n))]),
    matvec(reshape(slice(p, n, n + n * n), [n, n]), u),
  );

interface Case {
  name: string;
  f: (u: Tensor, p: Tensor) => Tensor;
  p: () => Tensor;
}
const cases: Case[] = [
  { name: "matvec(P − diag(P·1), u)", f: laplacian, p: () => rand([n, n]) },
  { name: "a packed net with P·u − (P·1)∘u", f: packedNet, p: () => rand([n * n + 15], 0.5) },
  { name: "exp(p)∘u + p∘u∘u", f: rates, p: () => rand([n], 0.5) },
  { name: "concat of fixed pieces ∘ (P·u), P a window of p", f: pieces, p: () => rand([n + n * n], 0.5) },
];

/** Σ_k w_k·(∂f/∂p)ᵀ(u_k, p)·ḡ_k by plain per-call VJPs of the unspecialised program. */
function reference(f: Case["f"], p: Tensor, us: Tensor[], cots: Tensor[], ws: number[]): Float64Array {
  const c = compile(f, us[0], p);
  const out = new Float64Array(p.size);
  us.forEach((u, k) => {
    const [, pBar] = c.vjp([u.data, p.data], cots[k].data);
    for (let i = 0; i < out.length; i++) out[i] += ws[k] * pBar[i];
  });
  c.dispose();
  return out;
}

function expectClose(got: Float64Array, want: Float64Array): void {
  const scale = Math.max(...want.map(Math.abs));
  expect(scale).toBeGreaterThan(0);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-13 * scale);
}

describe("deferred fixed steps", () => {
  for (const { name, f, p: makeP } of cases) {
    test(`${name}: a batched pullback's weighted sum over calls equals per-call VJPs`, () => {
      const p = makeP();
      const us = Array.from({ length: 7 }, () => rand([n]));
      const cots = Array.from({ length: 7 }, () => rand([n]));
      const ws = [0.5, 1, 2, -0.25, 1, 3, 0.125];
      const sp = compile(f, us[0], p).specialise([false, true]);
      sp.prepare([us[0].data, p.data]);
      const pull = sp.pullback([true, true], { accumulate: true, batch: 3 });
      const grads = [new Float64Array(n), new Float64Array(p.size)];
      us.forEach((u, k) => {
        grads[0].fill(0);
        pull([u.data, p.data], cots[k].data, grads, [1, ws[k]]);
        // u's cotangent is never deferred: complete after each call.
        const [uBar] = compile(f, u, p).vjp([u.data, p.data], cots[k].data);
        expectClose(grads[0], uBar);
      });
      pull.flush(grads);
      expectClose(grads[1], reference(f, p, us, cots, ws));
    });
  }

  test("prepare with new fixed values first pulls the held cotangents back through the old ones", () => {
    // exp's VJP reads its output: the fixed values matter (A(P) above is linear in P, they would not).
    const p1 = rand([n], 0.5);
    const p2 = rand([n], 0.5);
    const u = rand([n]);
    const cot = rand([n]);
    const sp = compile(rates, u, p1).specialise([false, true]);
    const pull = sp.pullback([false, true], { accumulate: true, batch: 4 });
    const grads = [null, new Float64Array(n)];
    sp.prepare([u.data, p1.data]);
    pull([u.data, p1.data], cot.data, grads);
    sp.prepare([u.data, p2.data]);
    pull([u.data, p2.data], cot.data, grads);
    pull.flush(grads);
    const want = reference(rates, p1, [u], [cot], [1]);
    const want2 = reference(rates, p2, [u], [cot], [1]);
    expectClose(
      grads[1] as Float64Array,
      want.map((v, i) => v + want2[i]),
    );
  });

  test("calls into another array first pull the held cotangents back into the previous one", () => {
    const p = rand([n, n]);
    const u = rand([n]);
    const cot = rand([n]);
    const sp = compile(laplacian, u, p).specialise([false, true]);
    sp.prepare([u.data, p.data]);
    const pull = sp.pullback([false, true], { accumulate: true, batch: 4 });
    const a = [null, new Float64Array(n * n)];
    const b = [null, new Float64Array(n * n)];
    pull([u.data, p.data], cot.data, a);
    pull([u.data, p.data], cot.data, b);
    pull.flush(b);
    const want = reference(laplacian, p, [u], [cot], [1]);
    expectClose(a[1] as Float64Array, want);
    expectClose(b[1] as Float64Array, want);
  });

  test("flush with other arrays than the calls' throws", () => {
    const p = rand([n, n]);
    const u = rand([n]);
    const sp = compile(laplacian, u, p).specialise([false, true]);
    sp.prepare([u.data, p.data]);
    const pull = sp.pullback([false, true], { accumulate: true, batch: 4 });
    pull([u.data, p.data], rand([n]).data, [null, new Float64Array(n * n)]);
    expect(() => pull.flush([null, new Float64Array(n * n)])).toThrow(CompileError);
  });

  test("the fixed steps' VJPs run once per flush, not once per call", () => {
    let vjps = 0;
    const counted = defineOp<undefined>({
      name: "test.countedDouble",
      shape: ([s]) => s,
      forward: (ctx) => {
        for (let i = 0; i < ctx.out.length; i++) ctx.out[i] = 2 * ctx.inputs[0][i];
      },
      vjp: (_ctx, g, [gx]) => {
        vjps++;
        if (gx !== null) for (let i = 0; i < g.length; i++) gx[i] += 2 * g[i];
      },
      vjpReads: () => READS_NOTHING,
    });
    const f = (u: Tensor, P: Tensor) => matvec(counted([P], undefined), u);
    const P = rand([n, n]);
    const u = rand([n]);
    const sp = compile(f, u, P).specialise([false, true]);
    sp.prepare([u.data, P.data]);
    const pull = sp.pullback([true, true], { accumulate: true, batch: 4 });
    const grads = [new Float64Array(n), new Float64Array(n * n)];
    vjps = 0;
    for (let k = 0; k < 10; k++) pull([u.data, P.data], rand([n]).data, grads);
    expect(vjps).toBe(0);
    pull.flush(grads);
    expect(vjps).toBe(1);
    // Without a batch nothing is deferred (the caller need not flush): one VJP per call.
    const plain = sp.pullback([true, true], { accumulate: true });
    vjps = 0;
    for (let k = 0; k < 10; k++) plain([u.data, P.data], rand([n]).data, grads);
    expect(vjps).toBe(10);
  });

  test("the program keeps a pullback's deferral only while it holds cotangents", () => {
    // prepare must settle what held pullbacks hold; pullbacks made and dropped (flushed) must not
    // stay reachable from the program, nor be visited by every later prepare.
    const p = rand([n, n]);
    const u = rand([n]);
    const cot = rand([n]);
    const tr = trace(laplacian, [u, p]);
    const program = lower(tr, liveEntries(tr));
    const sp = specialise(program, [false, true]);
    sp.prepare([u.data, p.data]);
    const want = reference(laplacian, p, [u], [cot], [1]);
    for (let k = 0; k < 20; k++) {
      const pull = sp.pullback([false, true], { accumulate: true, batch: 4 });
      const grads = [null, new Float64Array(n * n)];
      pull([u.data, p.data], cot.data, grads);
      expect(program.holding.size).toBe(1);
      pull.flush(grads);
      expect(program.holding.size).toBe(0);
      expectClose(grads[1] as Float64Array, want);
    }
    // Held, then settled by prepare (not by flush): the sum still lands in the calls' array.
    const held = sp.pullback([false, true], { accumulate: true, batch: 4 });
    const grads = [null, new Float64Array(n * n)];
    held([u.data, p.data], cot.data, grads);
    sp.prepare([u.data, p.data]);
    expect(program.holding.size).toBe(0);
    expectClose(grads[1] as Float64Array, want);
    program.dispose();
  });

  test("windows of the argument (slice, reshape) are not deferred; the fixed steps computed from them are", () => {
    // A window's cotangent goes straight into the argument's per call (grad-windows.ts): deferring
    // it would add a clear and an accumulation of its size per call (gradbench's n = 10⁵: 2×).
    const p = rand([n * n + 15], 0.5);
    const tr = trace(packedNet, [rand([n]), p]);
    const program = lower(tr, liveEntries(tr));
    const skip = program.steps.map(() => false);
    program.steps.forEach((st, s) => {
      skip[s] = st.sources.every((src) =>
        src.kind === "leaf" ? src.slot === 1 : src.kind === "const" || skip[src.step],
      );
    });
    const plan = planPullback(program, [true, true], { accumulate: true, batch: 4 }, skip);
    const deferred = program.steps
      .map((st, s) => (plan.deferred?.deferred[s] ? st.op.name : ""))
      .filter((name) => name !== "");
    expect(deferred.sort()).toEqual(["sum", "transpose", "transpose"]);
    program.dispose();
  });

  test("fixed steps leading to two arguments are not deferred, and the sums are still right", () => {
    const f = (u: Tensor, a: Tensor, b: Tensor) => matvec(add(a, b), u);
    const u = rand([n]);
    const A = rand([n, n]);
    const B = rand([n, n]);
    const sp = compile(f, u, A, B).specialise([false, true, true]);
    sp.prepare([u.data, A.data, B.data]);
    const pull = sp.pullback([false, true, true], { accumulate: true, batch: 2 });
    const grads = [null, new Float64Array(n * n), new Float64Array(n * n)];
    const cots = [rand([n]), rand([n]), rand([n])];
    for (const [k, cot] of cots.entries()) pull([u.data, A.data, B.data], cot.data, grads, [1, 1 + k, 2 - k]);
    pull.flush(grads);
    const c = compile(f, u, A, B);
    const wantA = new Float64Array(n * n);
    const wantB = new Float64Array(n * n);
    for (const [k, cot] of cots.entries()) {
      const [, gA, gB] = c.vjp([u.data, A.data, B.data], cot.data);
      for (let i = 0; i < n * n; i++) {
        wantA[i] += (1 + k) * gA[i];
        wantB[i] += (2 - k) * gB[i];
      }
    }
    expectClose(grads[1] as Float64Array, wantA);
    expectClose(grads[2] as Float64Array, wantB);
  });
});

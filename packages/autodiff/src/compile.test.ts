// Compiled tapes: bit-identical to eager mode, allocation-free replays, and clear rejection
// of what cannot be compiled.
import { describe, expect, test } from "vitest";
import { compile } from "./compile.js";
import { CompileError } from "./errors.js";
import { vjp } from "./grad.js";
import { add, matmul, matvec, mean, mul, reshape, slice, sub, sum, tanh, transpose } from "./ops/index.js";
import { Tensor, tensor } from "./tensor.js";

function random(n: number, seed: number): Float64Array {
  const a = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

/** The seed model's right-hand side: blockwise Dense(4→5)→Dense(5→4) plus A(P)·u, A(P) = P − diag(P·1). */
function seedRhs(u: Tensor, P: Tensor, W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor): Tensor {
  const n = u.size;
  const X = reshape(u, [n / 4, 4]);
  const H = tanh(add(matmul(X, transpose(W1)), b1));
  const Y = add(matmul(H, transpose(W2)), b2);
  const linear = sub(matvec(P, u), mul(sum(P, 1), u));
  return add(reshape(Y, [n]), linear);
}

const n = 100;
const inputs = [
  new Tensor(random(n, 1), [n]),
  new Tensor(random(n * n, 2), [n, n]),
  new Tensor(random(20, 3), [5, 4]),
  new Tensor(random(5, 4), [5]),
  new Tensor(random(20, 5), [4, 5]),
  new Tensor(random(4, 6), [4]),
];

describe("compile", () => {
  test("forward and vjp are bit-identical to eager mode, at the traced point and elsewhere", () => {
    const c = compile(seedRhs, ...inputs);
    for (const seed of [0, 10, 20]) {
      const xs = inputs.map((t, i) => new Tensor(seed === 0 ? t.data : random(t.size, seed + i), t.shape));
      const cot = random(n, seed + 99);
      const [out, pullback] = vjp(seedRhs, ...xs);
      const eagerGrads = pullback(cot);
      expect(Array.from(c.forward(xs.map((x) => x.data)))).toEqual(Array.from(out.data));
      const grads = c.vjp(
        xs.map((x) => x.data),
        cot,
      );
      grads.forEach((g, i) => {
        expect(Array.from(g)).toEqual(Array.from(eagerGrads[i].data));
      });
    }
  });

  test("forward writes into a given output and vjp into given gradient buffers", () => {
    const c = compile((a: Tensor, b: Tensor) => mul(a, b), tensor([1, 2]), tensor([3, 4]));
    const out = new Float64Array(2);
    expect(c.forward([Float64Array.of(2, 3), Float64Array.of(4, 5)], out)).toBe(out);
    expect(Array.from(out)).toEqual([8, 15]);
    const grads = [new Float64Array(2).fill(9), new Float64Array(2).fill(9)];
    expect(c.vjp([Float64Array.of(2, 3), Float64Array.of(4, 5)], Float64Array.of(1, 1), grads)).toBe(grads);
    expect(grads.map((g) => Array.from(g))).toEqual([
      [4, 5],
      [2, 3],
    ]);
  });

  test("an input used directly as the output, and fan-out, replay correctly", () => {
    const c = compile((a: Tensor) => a, tensor([1, 2]));
    expect(Array.from(c.vjp([Float64Array.of(5, 6)], Float64Array.of(1, 2))[0])).toEqual([1, 2]);
    const d = compile((a: Tensor) => add(mul(a, a), a), tensor([1, 2]));
    expect(Array.from(d.vjp([Float64Array.of(3, 4)], Float64Array.of(1, 1))[0])).toEqual([7, 9]);
  });

  test("10⁴ replays of forward + vjp allocate nothing after warm-up", async () => {
    const { PerformanceObserver } = await import("node:perf_hooks");
    const c = compile(seedRhs, ...inputs);
    const data = inputs.map((t) => t.data);
    const cot = random(n, 7);
    const out = new Float64Array(n);
    const grads = inputs.map((t) => new Float64Array(t.size));
    for (let k = 0; k < 3000; k++) {
      c.forward(data, out);
      c.vjp(data, cot, grads);
    }
    const gcStarts: number[] = [];
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcStarts.push(e.startTime);
    });
    obs.observe({ entryTypes: ["gc"] });
    const before = process.memoryUsage();
    const t0 = performance.now();
    for (let k = 0; k < 10_000; k++) {
      c.forward(data, out);
      c.vjp(data, cot, grads);
    }
    const t1 = performance.now();
    const after = process.memoryUsage();
    await new Promise((r) => setTimeout(r, 50));
    obs.disconnect();
    // Only collections that started during the loop count (the test runner allocates around it).
    const gcEvents = gcStarts.filter((t) => t >= t0 && t <= t1).length;
    // 10⁴ calls that allocated even one 16-byte object each would show ≥ 160 kB of heap
    // growth or trigger a scavenge; the bound 64 kB allows for the measurement itself.
    expect(gcEvents).toBe(0);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(64 * 1024);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThanOrEqual(0);
  });

  test("pullback computes only the flagged cotangents, and can accumulate", () => {
    const c = compile(seedRhs, ...inputs);
    const data = inputs.map((t) => t.data);
    const cot = random(n, 5);
    const all = c.vjp(data, cot).map((g) => g.slice());
    const onlyU = c.pullback([true, false, false, false, false, false]);
    const gu = new Float64Array(n).fill(123);
    onlyU(data, cot, [gu, null, null, null, null, null]);
    expect(Array.from(gu)).toEqual(Array.from(all[0]));
    const onlyP = c.pullback([false, true, false, false, false, false], { accumulate: true });
    const gP = new Float64Array(n * n);
    onlyP(data, cot, [null, gP, null, null, null, null]);
    onlyP(data, cot, [null, gP, null, null, null, null]);
    // Two accumulated pullbacks give twice the gradient, up to the rounding of adding the
    // second pass's terms onto the first's (a few ulps of the entries, which are O(1)).
    for (let k = 0; k < gP.length; k++) expect(Math.abs(gP[k] - 2 * all[1][k])).toBeLessThan(1e-14);
    expect(() => c.pullback([true])).toThrow(/one flag per input \(6\)/);
  });

  test("batched accumulating pullback: stacked rank-1 updates give the unbatched sum", () => {
    // P enters through matvec (Ā += ḡ·uᵀ) and through sum(P, 1) and mean(P, 1) (row
    // broadcasts), the three kinds of outer-product VJP a batch stacks; 11 calls at different
    // (u, ḡ) with batch 4 flush twice when full and once at the end.
    const f = (u: Tensor, P: Tensor) => add(sub(matvec(P, u), mul(sum(P, 1), u)), mean(P, 1));
    const c = compile(f, inputs[0], inputs[1]).specialise([false, true]);
    const P = inputs[1].data;
    c.prepare([inputs[0].data, P]);
    const plain = c.pullback([false, true], { accumulate: true });
    const batched = c.pullback([false, true], { accumulate: true, batch: 4 });
    const ref = new Float64Array(n * n).fill(0.25);
    const got = new Float64Array(n * n).fill(0.25);
    for (let call = 0; call < 11; call++) {
      const u = random(n, 40 + call);
      const cot = random(n, 60 + call);
      plain([u, P], cot, [null, ref]);
      batched([u, P], cot, [null, got]);
    }
    batched.flush([null, got]);
    // Same terms added in another order: each entry is a sum of 34 products of O(0.25) values,
    // so the two orders differ by at most a few ulps of O(1) (bound 1e-14).
    let maxDiff = 0;
    for (let k = 0; k < ref.length; k++) maxDiff = Math.max(maxDiff, Math.abs(got[k] - ref[k]));
    expect(maxDiff).toBeLessThan(1e-14);
    // The batch really was deferred: without the final flush the last three calls are missing.
    const partial = new Float64Array(n * n);
    batched([random(n, 1), P], random(n, 2), [null, partial]);
    expect(partial.every((x) => x === 0)).toBe(true);
    expect(() => batched.flush([null, new Float64Array(n * n)])).toThrow(/same grads/);
    batched.flush([null, partial]);
    expect(partial.some((x) => x !== 0)).toBe(true);
    expect(() => c.pullback([false, true], { batch: 4 })).toThrow(/needs accumulate: true/);
    // Packed parameters: P = reshape(slice(p, 3, 3 + n²)) next to other entries of p (the
    // UDE layout). The stacked updates land in p's slice; the other entries' cotangents (here
    // through sum(q)) are added as usual.
    const packed = (u: Tensor, p: Tensor) => {
      const Q = reshape(slice(p, 3, 3 + n * n), [n, n]);
      return add(sub(matvec(Q, u), mul(sum(Q, 1), u)), mul(u, sum(slice(p, 0, 3))));
    };
    const pFlat = new Float64Array(3 + n * n + 2);
    pFlat.set(P, 3);
    pFlat.set([0.1, -0.2, 0.3], 0);
    const cp = compile(packed, inputs[0], new Tensor(pFlat, [pFlat.length])).specialise([false, true]);
    cp.prepare([inputs[0].data, pFlat]);
    const plainP = cp.pullback([false, true], { accumulate: true });
    const batchedP = cp.pullback([false, true], { accumulate: true, batch: 3 });
    const refP = new Float64Array(pFlat.length);
    const gotP = new Float64Array(pFlat.length);
    for (let call = 0; call < 7; call++) {
      const u = random(n, 80 + call);
      const cot = random(n, 90 + call);
      plainP([u, pFlat], cot, [null, refP]);
      batchedP([u, pFlat], cot, [null, gotP]);
    }
    batchedP.flush([null, gotP]);
    // Same bound as above (22 products of O(0.25) per entry).
    let maxDiffP = 0;
    for (let k = 0; k < refP.length; k++) maxDiffP = Math.max(maxDiffP, Math.abs(gotP[k] - refP[k]));
    expect(maxDiffP).toBeLessThan(1e-14);
    expect(refP[pFlat.length - 1]).toBe(0);
    expect(refP[0]).not.toBe(0);
    expect(refP[3 + 5]).not.toBe(0);
    expect(() => c.pullback([false, true], { accumulate: true, batch: 0.5 })).toThrow(/positive integer/);
  });

  test("weighted pullback: each argument's cotangent times its weight, stacked or in place", () => {
    // The packed layout again: p's matrix window gets stacked rank-1 updates (batch), its first
    // three entries in-place ones through slice; u's cotangent is in place.
    const packed = (u: Tensor, p: Tensor) => {
      const Q = reshape(slice(p, 3, 3 + n * n), [n, n]);
      return add(sub(matvec(Q, u), mul(sum(Q, 1), u)), mul(u, sum(slice(p, 0, 3))));
    };
    const pFlat = new Float64Array(3 + n * n + 2);
    pFlat.set(inputs[1].data, 3);
    pFlat.set([0.1, -0.2, 0.3], 0);
    const c = compile(packed, inputs[0], new Tensor(pFlat, [pFlat.length])).specialise([false, true]);
    c.prepare([inputs[0].data, pFlat]);
    const both = c.pullback([true, true], { accumulate: true, batch: 3 });
    const plain = c.pullback([true, true], { accumulate: true });
    const overwrite = c.pullback([true, true]);
    const wu = [1, 0.5, -2, 1];
    const wp = [-0.75, 1, 3e-3, 0];
    const gu = new Float64Array(n);
    const gp = new Float64Array(pFlat.length).fill(0.5);
    const refU = new Float64Array(n);
    const refP = new Float64Array(pFlat.length).fill(0.5);
    const oneU = new Float64Array(n);
    const oneP = new Float64Array(pFlat.length);
    for (let call = 0; call < wu.length; call++) {
      const u = random(n, 110 + call);
      const cot = random(n, 120 + call);
      both([u, pFlat], cot, [gu, gp], [wu[call], wp[call]]);
      // Reference: an unweighted pullback, scaled by hand.
      overwrite([u, pFlat], cot, [oneU, oneP]);
      for (let i = 0; i < n; i++) refU[i] += wu[call] * oneU[i];
      for (let k = 0; k < refP.length; k++) refP[k] += wp[call] * oneP[k];
    }
    both.flush([gu, gp]);
    // Sums of 4 weighted terms of O(1): a few ulps apart (other order, other rounding of w·g).
    for (let i = 0; i < n; i++) expect(Math.abs(gu[i] - refU[i])).toBeLessThan(1e-13);
    for (let k = 0; k < refP.length; k++) expect(Math.abs(gp[k] - refP[k])).toBeLessThan(1e-13);
    // Entries no VJP writes keep their values, whatever the weights.
    expect(gp[pFlat.length - 1]).toBe(0.5);
    // Unbatched, and weights of 1: the same as no weights, bit for bit.
    const a = new Float64Array(pFlat.length);
    const b = new Float64Array(pFlat.length);
    const u = random(n, 130);
    const cot = random(n, 131);
    plain([u, pFlat], cot, [oneU, a], [1, 1]);
    plain([u, pFlat], cot, [oneU, b]);
    expect(Array.from(a)).toEqual(Array.from(b));
    // Without accumulate, weighted cotangents overwrite: grads = w·(∂f/∂x)ᵀ·cotangent.
    const wU = new Float64Array(n).fill(7);
    const wP = new Float64Array(pFlat.length).fill(7);
    overwrite([u, pFlat], cot, [wU, wP], [2, -0.5]);
    overwrite([u, pFlat], cot, [oneU, oneP]);
    for (let i = 0; i < n; i++) expect(wU[i]).toBe(2 * oneU[i]);
    for (let k = 0; k < pFlat.length; k++) expect(Math.abs(wP[k] + 0.5 * oneP[k])).toBeLessThan(1e-15);
    expect(() => plain([u, pFlat], cot, [oneU, a], [1])).toThrow(/one number per input \(2\)/);
    expect(() => plain([u, pFlat], cot, [oneU, a], [1, Number.NaN])).toThrow(/weights\[1\] = NaN/);
  });

  test("specialise: work on fixed inputs is done once per prepare, results unchanged", () => {
    const c = compile(seedRhs, ...inputs);
    const fixed = [false, true, true, true, true, true];
    const sp = c.specialise(fixed);
    const data = inputs.map((t) => t.data);
    sp.prepare(data);
    const pull = sp.pullback([true, true, true, true, true, true]);
    for (const seed of [31, 32]) {
      // new states u, same parameters: exactly what an ODE solve does between prepares
      const moved = [random(n, seed), ...data.slice(1)];
      const cot = random(n, seed + 1);
      const grads = inputs.map((t) => new Float64Array(t.size));
      pull(moved, cot, grads);
      const ref = c.vjp(moved, cot).map((g) => g.slice());
      grads.forEach((g, i) => {
        expect(Array.from(g)).toEqual(Array.from(ref[i]));
      });
      expect(Array.from(sp.forward(moved))).toEqual(Array.from(c.forward(moved)));
    }
    expect(() => c.specialise([true])).toThrow(/one flag per input \(6\)/);
  });

  test("value-dependent control flow is rejected", () => {
    expect(() => compile((x: Tensor) => (sum(x).item() > 0 ? x : mul(x, x)), tensor([1, 2]))).toThrow(
      CompileError,
    );
    const branchy = (x: Tensor) => (x.data[0] > 1 ? mul(x, x) : add(x, x));
    expect(() => compile(branchy, tensor([1, 3]))).toThrow(/value-dependent control flow/);
  });

  test("wrong input count or sizes are rejected with the expected shapes", () => {
    const c = compile((a: Tensor) => sum(a), tensor([1, 2, 3]));
    expect(() => c.forward([])).toThrow(/expected 1 arrays, got 0/);
    expect(() => c.forward([new Float64Array(2)])).toThrow(
      /array 0 must be a Float64Array of 3 entries \(shape \[3\]\)/,
    );
    expect(() => c.vjp([new Float64Array(3)], new Float64Array(2))).toThrow(/cotangent must have 1 entries/);
  });

  test("an output that does not depend on the inputs is rejected", () => {
    expect(() => compile(() => tensor([1]), tensor([1]))).toThrow(/does not depend on any input/);
  });
});

/**
 * The seed model's right-hand side at n = 100 — the blockwise net Dense(4→5, tanh) →
 * Dense(5→4) on u viewed as a 25×4 batch, plus A(P)·u with A(P) = P − diag(P·1) — and its
 * VJP with respect to (u, P, W1, b1, W2, b2): eager tape, compiled tape and a hand-written
 * Float64Array version, interleaved in one run.
 */
import {
  add,
  compile,
  matmul,
  matvec,
  mul,
  reshape,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  transpose,
  vjp,
} from "@udekit/autodiff";
import { ger, matvec as matvecKernel, matvecT } from "@udekit/kernels";
import { formatBytes, measureAllocation } from "../memory.js";
import type { BenchSection, TargetResult } from "../report.js";
import { timeInterleaved } from "../timing.js";

const N = 100;
const BLOCKS = N / 4;

function seedRhs(u: Tensor, P: Tensor, W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor): Tensor {
  const X = reshape(u, [BLOCKS, 4]);
  const H = tanh(add(matmul(X, transpose(W1)), b1));
  const Y = add(matmul(H, transpose(W2)), b2);
  const linear = sub(matvec(P, u), mul(sum(P, 1), u));
  return add(reshape(Y, [N]), linear);
}

/** The same right-hand side and VJP written by hand on Float64Arrays, with preallocated buffers. */
class HandWrittenRhs {
  private readonly rowSums = new Float64Array(N);
  private readonly h = new Float64Array(BLOCKS * 5);
  private readonly lu = new Float64Array(N);
  private readonly ones = new Float64Array(N).fill(1);
  private readonly hBar = new Float64Array(5);

  forward(
    u: Float64Array,
    P: Float64Array,
    W1: Float64Array,
    b1: Float64Array,
    W2: Float64Array,
    b2: Float64Array,
    out: Float64Array,
  ): void {
    const { rowSums, h } = this;
    matvecKernel(N, N, P, this.ones, rowSums, false);
    matvecKernel(N, N, P, u, out, false);
    for (let i = 0; i < N; i++) out[i] -= rowSums[i] * u[i];
    for (let k = 0; k < BLOCKS; k++) {
      for (let r = 0; r < 5; r++) {
        let z = b1[r];
        for (let c = 0; c < 4; c++) z += W1[r * 4 + c] * u[4 * k + c];
        h[k * 5 + r] = Math.tanh(z);
      }
      for (let r = 0; r < 4; r++) {
        let y = b2[r];
        for (let c = 0; c < 5; c++) y += W2[r * 5 + c] * h[k * 5 + c];
        out[4 * k + r] += y;
      }
    }
  }

  /** Cotangents of all inputs (overwritten) for output cotangent `lambda`; reruns the forward pass like compiled vjp. */
  vjp(inputs: Float64Array[], lambda: Float64Array, out: Float64Array, grads: Float64Array[]): void {
    const [u, P, W1, b1, W2, b2] = inputs;
    const [gu, gP, gW1, gb1, gW2, gb2] = grads;
    this.forward(u, P, W1, b1, W2, b2, out);
    const { rowSums, h, lu, hBar } = this;
    // linear part: ū = Pᵀλ − r∘λ; P̄ = λ·uᵀ − (λ∘u)·1ᵀ
    matvecT(N, N, P, lambda, gu, false);
    for (let i = 0; i < N; i++) {
      gu[i] -= rowSums[i] * lambda[i];
      lu[i] = lambda[i] * u[i];
    }
    gP.fill(0);
    ger(N, N, 1, lambda, u, gP);
    ger(N, N, -1, lu, this.ones, gP);
    gW1.fill(0);
    gb1.fill(0);
    gW2.fill(0);
    gb2.fill(0);
    for (let k = 0; k < BLOCKS; k++) {
      hBar.fill(0);
      for (let r = 0; r < 4; r++) {
        const yBar = lambda[4 * k + r];
        gb2[r] += yBar;
        for (let c = 0; c < 5; c++) {
          gW2[r * 5 + c] += yBar * h[k * 5 + c];
          hBar[c] += W2[r * 5 + c] * yBar;
        }
      }
      for (let r = 0; r < 5; r++) {
        const hk = h[k * 5 + r];
        const zBar = hBar[r] * (1 - hk * hk);
        gb1[r] += zBar;
        for (let c = 0; c < 4; c++) {
          gW1[r * 4 + c] += zBar * u[4 * k + c];
          gu[4 * k + c] += W1[r * 4 + c] * zBar;
        }
      }
    }
  }
}

function random(n: number, seed: number): Float64Array {
  const a = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

export function autodiffSuite(): BenchSection {
  const shapes = [[N], [N, N], [5, 4], [5], [4, 5], [4]];
  const data = shapes.map((s, i) =>
    random(
      s.reduce((a, b) => a * b, 1),
      i + 1,
    ),
  );
  const tensors = data.map((d, i) => tensor(d, shapes[i]));
  const lambda = random(N, 99);
  const out = new Float64Array(N);
  const grads = data.map((d) => new Float64Array(d.length));
  const compiled = compile(seedRhs, ...tensors);
  const hand = new HandWrittenRhs();

  // Agreement first: all three must compute the same numbers, else the timings mean nothing.
  const [eagerOut, pullback] = vjp(seedRhs, ...tensors);
  const eagerGrads = pullback(lambda);
  hand.vjp(data, lambda, out, grads);
  let maxDiff = 0;
  eagerGrads.forEach((g, i) => {
    for (let k = 0; k < g.size; k++) maxDiff = Math.max(maxDiff, Math.abs(g.data[k] - grads[i][k]));
  });
  for (let k = 0; k < N; k++) maxDiff = Math.max(maxDiff, Math.abs(eagerOut.data[k] - out[k]));

  const competitors = {
    "eager forward": () => seedRhs(tensors[0], tensors[1], tensors[2], tensors[3], tensors[4], tensors[5]),
    "compiled forward": () => compiled.forward(data, out),
    "hand-written forward": () => hand.forward(data[0], data[1], data[2], data[3], data[4], data[5], out),
    "eager forward+VJP": () => vjp(seedRhs, ...tensors)[1](lambda),
    "compiled forward+VJP": () => compiled.vjp(data, lambda, grads),
    "hand-written forward+VJP": () => hand.vjp(data, lambda, out, grads),
  };
  const timings = timeInterleaved(competitors, { warmup: 300, samples: 25, inner: 100 });
  const alloc = Object.fromEntries(
    Object.entries(competitors).map(([name, fn]) => [
      name,
      measureAllocation(fn, name.startsWith("eager") ? 10 : 2000),
    ]),
  );
  const byName = Object.fromEntries(timings.map((t) => [t.name, t]));
  const ratio = (a: string, b: string) => byName[a].median / byName[b].median;
  const rows = timings.map((t) => [
    t.name,
    t.median * 1e6,
    t.min * 1e6,
    t.max * 1e6,
    formatBytes(alloc[t.name]),
  ]);
  const compiledRatio = ratio("compiled forward+VJP", "hand-written forward+VJP");
  const eagerRatio = ratio("eager forward+VJP", "hand-written forward+VJP");
  const targets: TargetResult[] = [
    {
      issue: 3,
      target: "compiled VJP within 2× of the hand-written one (seed RHS, n = 100)",
      measured: `${compiledRatio.toFixed(2)}×`,
      met: compiledRatio <= 2,
    },
    {
      issue: 3,
      target: "eager VJP within 10× of the hand-written one",
      measured: `${eagerRatio.toFixed(2)}×`,
      met: eagerRatio <= 10,
    },
  ];
  return {
    title: "Autodiff: the seed right-hand side (n = 100) and its VJP (issue 3)",
    targets,
    tables: [
      {
        caption:
          "ns per call (median, min, max of 25 samples × 100 calls, interleaved) and bytes allocated per call after warm-up. VJP w.r.t. u, P (10⁴), W1, b1, W2, b2; every VJP includes its forward pass.",
        columns: ["variant", "median ns", "min ns", "max ns", "bytes/call"],
        rows,
      },
    ],
    notes: [
      `Max |difference| between eager, compiled and hand-written results: ${maxDiff.toExponential(2)}.`,
      `Compiled VJP / hand-written VJP = ${compiledRatio.toFixed(2)} (target ≤ 2: ${compiledRatio <= 2 ? "met" : "MISSED"}).`,
      `Eager VJP / hand-written VJP = ${eagerRatio.toFixed(2)} (target ≤ 10: ${eagerRatio <= 10 ? "met" : "MISSED"}).`,
    ],
    data: { timings, alloc, maxDiff, compiledRatio, eagerRatio },
  };
}

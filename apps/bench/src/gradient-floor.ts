/**
 * What a linear model's DiscreteAdjoint gradient costs in its dense kernels alone, against the
 * forward solve (issue 17's "gradient ≤ 2.5× the forward solve" targets are judged against these).
 *
 * For du/dt = A(P)·u the forward solve calls P·u once per evaluation (matvec, 2n² flops); the
 * gradient's backward pass calls, per stage VJP, Pᵀλ (matvecT, 2n²) and adds the rank-1 term
 * w·λ·uᵀ into P̄ (2n², stacked 64 at a time into one matmulTN, as the compiled pullback does).
 * So a gradient does three times the forward solve's dense flops: where the kernels dominate (large
 * n), gradient/forward tends to 1 + (matvecT + rank-1)/matvec ≈ 3, whatever the bookkeeping.
 *
 * - The seed table (n = 100): the kernels with one gradient's own counts, and with the walk's
 *   per-stage kernels (stage input, spread).
 * - Across n (the seed family, seed.ts): the same floor at n = 50 … 400 next to the measured
 *   gradient, so the floor's growth with n is in the run.
 */
import { compile, reshape, slice, type Tensor, tanh, tensor } from "@udekit/autodiff";
import {
  allocF64,
  allocF64From,
  freeArray,
  ger,
  matmulTN,
  matvec as matvecKernel,
  matvecT,
} from "@udekit/kernels";
import { DiscreteAdjoint, Tsit5 } from "@udekit/ode";
import { type LossProblem, linearLossProblem, odeGradient, odeLoss, type Tolerances } from "./gradients.js";
import type { BenchContext, BenchTable } from "./report.js";
import { linearProblem, linearRhs, udeNet } from "./seed.js";
import { timeInterleaved } from "./timing.js";

const TOL: Tolerances = { solver: Tsit5(), reltol: 1e-6, abstol: 1e-8 };
/** Calls per stacked rank-1 product (the compiled pullback's batch in @udekit/ode). */
const BATCH = 64;
/** Tsit5's stage vectors (6 stages and the FSAL end stage). */
const STAGES = 7;

/** The dense kernels of one gradient of du/dt = P·u − (P·1)∘u, with its own evaluation counts. */
function kernelLoops(P0: Float64Array, n: number, evals: number, vjps: number) {
  const P = allocF64From(P0);
  const u = allocF64(n).fill(0.5);
  const y = allocF64(n);
  const lam = allocF64(n).fill(0.1);
  const left = allocF64(BATCH * n);
  const right = allocF64(BATCH * n);
  const pBar = allocF64(n * n);
  const K = allocF64(STAGES * n).fill(0.01);
  const spread = allocF64((STAGES + 1) * n);
  const hw = allocF64(STAGES + 1).fill(0.1);
  const forward = (): void => {
    for (let e = 0; e < evals; e++) matvecKernel(n, n, P, u, y, false);
  };
  const backward = (walk: boolean): void => {
    let c = 0;
    for (let v = 0; v < vjps; v++) {
      if (walk) {
        y.set(u);
        matvecT(STAGES - 1, n, K, hw, y, true);
      }
      matvecT(n, n, P, lam, y, false);
      for (let i = 0; i < n; i++) {
        left[c * n + i] = 0.1 * lam[i];
        right[c * n + i] = u[i];
      }
      if (++c === BATCH) {
        matmulTN(n, BATCH, n, left, right, pBar, true);
        c = 0;
      }
      if (walk) ger(STAGES, n, 1, hw, lam, spread);
    }
    if (c > 0) matmulTN(n, c, n, left, right, pBar, true);
  };
  const free = (): void => {
    for (const a of [P, u, y, lam, left, right, pBar, K, spread, hw]) freeArray(a);
  };
  return { forward, backward, free };
}

function counts(problem: LossProblem): { evals: number; vjps: number } {
  const { info } = odeGradient(problem, TOL, DiscreteAdjoint());
  return { evals: info.forward?.rhsEvals ?? 0, vjps: info.backward?.vjpEvals ?? 0 };
}

/**
 * The seed linear gradient against its dense kernels alone (n = 100). "As a gradient" adds the
 * forward solve's non-kernel work (forward − forward kernels), which a gradient pays in its own
 * forward pass: what a gradient with no bookkeeping at all would take, relative to the forward.
 */
export function gradientFloorTable(
  ctx: BenchContext,
  linear: LossProblem,
): { table: BenchTable; floorRatio: number; walkRatio: number; data: unknown } {
  const { evals, vjps } = counts(linear);
  const k = kernelLoops(linear.p.data, linear.u0.size, evals, vjps);
  const [forward, gradient, kernelsFwd, kernelsAll, kernelsWalk] = timeInterleaved(
    {
      "forward solve": () => odeLoss(linear, TOL),
      "DiscreteAdjoint gradient": () => odeGradient(linear, TOL, DiscreteAdjoint()),
      "forward kernels": k.forward,
      "forward + backward kernels": () => {
        k.forward();
        k.backward(false);
      },
      "forward + backward + walk kernels": () => {
        k.forward();
        k.backward(true);
      },
    },
    { warmup: ctx.quick ? 2 : 20, samples: ctx.quick ? 5 : 51 },
  );
  k.free();
  const f = forward.median;
  const floorRatio = kernelsAll.median / f + (f - kernelsFwd.median) / f;
  const walkRatio = kernelsWalk.median / f + (f - kernelsFwd.median) / f;
  return {
    table: {
      caption: `The seed linear DiscreteAdjoint gradient (Tsit5, 1e-6/1e-8; ${evals} forward evaluations, ${vjps} stage VJPs) against its dense kernels alone: P·u per evaluation; per stage VJP Pᵀλ and the rank-1 P̄ term stacked ${BATCH} at a time into one matrix product; and with the walk's per-stage kernels (stage input, spread). "As a gradient" adds the forward solve's non-kernel work (forward − forward kernels), which a gradient pays in its own forward pass: that row is what a gradient with no bookkeeping at all would take, relative to the forward solve. Interleaved, median ms.`,
      columns: ["what", "median ms", "× forward solve", "as a gradient, × forward solve"],
      rows: [
        ["forward solve", f, 1, "—"],
        ["DiscreteAdjoint gradient", gradient.median, gradient.median / f, "—"],
        ["forward kernels (P·u)", kernelsFwd.median, kernelsFwd.median / f, "—"],
        ["forward + backward kernels", kernelsAll.median, kernelsAll.median / f, floorRatio],
        ["… + the walk's kernels", kernelsWalk.median, kernelsWalk.median / f, walkRatio],
      ],
    },
    floorRatio,
    walkRatio,
    data: { evals, vjps, forward, gradient, kernelsFwd, kernelsAll, kernelsWalk },
  };
}

export interface FloorAtN {
  n: number;
  evals: number;
  vjps: number;
  forward: number;
  gradient: number;
  forwardKernels: number;
  backwardKernels: number;
  /** Gradient / forward solve, measured. */
  ratio: number;
  /** (forward solve + backward kernels) / forward solve: the ratio with no bookkeeping at all. */
  floor: number;
  /** (forward + backward kernels) / forward kernels: the ratio where the kernels are all there is. */
  kernelsOnly: number;
}

/**
 * The seed family's linear gradient (DiscreteAdjoint) and its kernel floor at several n, all
 * competitors of one n interleaved. The floor rises with n towards the kernels' own ratio (≈ 3),
 * because the forward solve's non-kernel share, which dilutes it, shrinks.
 */
export function floorAcrossNTable(ctx: BenchContext): { table: BenchTable; rows: FloorAtN[] } {
  const sizes = ctx.quick ? [50, 100] : [50, 100, 200, 400];
  const rows: FloorAtN[] = [];
  for (const n of sizes) {
    const lp = linearProblem(n);
    const problem = linearLossProblem(linearRhs, lp.P, lp.u0, lp.data);
    const { evals, vjps } = counts(problem);
    const k = kernelLoops(lp.P, n, evals, vjps);
    // About the same seconds per size: the n = 400 gradient takes ≈ 60 ms.
    const samples = ctx.quick ? 5 : Math.max(15, Math.min(51, Math.round(6000 / n)));
    const [forward, gradient, fwdK, bwdK] = timeInterleaved(
      {
        forward: () => odeLoss(problem, TOL),
        gradient: () => odeGradient(problem, TOL, DiscreteAdjoint()),
        "forward kernels": k.forward,
        "backward kernels": () => k.backward(false),
      },
      { warmup: ctx.quick ? 2 : 5, samples },
    );
    k.free();
    const f = forward.median;
    rows.push({
      n,
      evals,
      vjps,
      forward: f,
      gradient: gradient.median,
      forwardKernels: fwdK.median,
      backwardKernels: bwdK.median,
      ratio: gradient.median / f,
      floor: (f + bwdK.median) / f,
      kernelsOnly: (fwdK.median + bwdK.median) / fwdK.median,
    });
  }
  return {
    table: {
      caption: `The linear model's DiscreteAdjoint gradient against its dense-kernel floor across n (seed family: the seed for n ≤ 100, generated P and data beyond; Tsit5, 1e-6/1e-8). "Floor" is (forward solve + the backward pass's kernels) / forward solve: the gradient/forward ratio with no bookkeeping at all. "Kernels alone" is (forward + backward kernels) / forward kernels: the floor where the kernels are all the forward solve does, since the backward pass does twice the forward's dense flops (Pᵀλ and the rank-1 P̄ term per stage against P·u). Interleaved per n, median ms.`,
      columns: [
        "n",
        "parameters",
        "forward evals",
        "stage VJPs",
        "forward ms",
        "kernels' share of forward",
        "DiscreteAdjoint ms",
        "DA × forward",
        "floor × forward",
        "kernels alone",
      ],
      rows: rows.map((r) => [
        r.n,
        r.n * r.n,
        r.evals,
        r.vjps,
        r.forward,
        `${((100 * r.forwardKernels) / r.forward).toFixed(0)} %`,
        r.gradient,
        r.ratio,
        r.floor,
        r.kernelsOnly,
      ]),
    },
    rows,
  };
}

/**
 * The seed UDE's gradient against its two parts taken alone: the net (compiled and specialised
 * on its parameters as the solver's right-hand side is; its pullback gives the state and
 * parameter cotangents, batched, as a stage VJP does) and the backward kernels of A(P)·u. The
 * net's pullback does twice its forward's products (Ȳ·W and Ȳᵀ·H per layer) and reruns the
 * forward steps it reads, so a gradient of the whole cannot be cheaper than these parts added.
 */
export function udePartsTable(
  ctx: BenchContext,
  ude: LossProblem,
): { table: BenchTable; floorRatio: number; data: unknown } {
  const { evals, vjps } = counts(ude);
  const n = ude.u0.size;
  const net = (u: Tensor, q: Tensor) =>
    udeNet(
      tanh,
      u,
      reshape(slice(q, 0, 20), [5, 4]),
      slice(q, 20, 25),
      reshape(slice(q, 25, 45), [4, 5]),
      slice(q, 45, 49),
    );
  const q = tensor(ude.p.data.slice(n * n));
  const compiled = compile(net, ude.u0, q);
  // Every operand in the kernels' arena, as the solver's are (ordinary arrays would be copied in
  // and out at each small product: 5.8 against 3.5 µs per pullback, measured).
  const uA = allocF64From(ude.u0.data);
  const qA = allocF64From(q.data);
  const out = allocF64(n);
  const cot = allocF64From(Float64Array.from({ length: n }, (_, i) => Math.cos(i)));
  const grads = [allocF64(n), allocF64(q.size)];
  const sp = compiled.specialise([false, true]);
  sp.prepare([uA, qA]);
  const pull = sp.pullback([true, true], { accumulate: true, batch: BATCH });
  const k = kernelLoops(ude.p.data.subarray(0, n * n), n, evals, vjps);
  const [forward, gradient, netFwd, netPull, pKernels] = timeInterleaved(
    {
      "forward solve": () => odeLoss(ude, TOL),
      "DiscreteAdjoint gradient": () => odeGradient(ude, TOL, DiscreteAdjoint()),
      "net forward": () => {
        for (let e = 0; e < evals; e++) sp.forward([uA, qA], out);
      },
      "net pullback": () => {
        for (let v = 0; v < vjps; v++) pull([uA, qA], cot, grads);
        pull.flush(grads);
      },
      "A(P)·u backward kernels": () => k.backward(false),
    },
    { warmup: ctx.quick ? 2 : 20, samples: ctx.quick ? 5 : 51 },
  );
  compiled.dispose();
  k.free();
  for (const a of [uA, qA, out, cot, ...grads]) freeArray(a);
  const f = forward.median;
  const floor = f + netPull.median + pKernels.median;
  return {
    table: {
      caption: `The seed UDE's DiscreteAdjoint gradient (Tsit5, 1e-6/1e-8; ${evals} forward evaluations, ${vjps} stage VJPs) against its parts taken alone: the net u ↦ Dense(4→5, tanh) → Dense(5→4) on the blocks of u, compiled and specialised on its parameters as the solver's right-hand side is, called as often as the gradient calls the right-hand side (forward) and its VJP (pullback with the state and parameter cotangents, batched), and the backward kernels of A(P)·u (as in the gradient-floor table). The floor adds the forward solve, the net's pullbacks and those kernels. Interleaved, median ms.`,
      columns: ["what", "median ms", "× forward solve"],
      rows: [
        ["forward solve", f, 1],
        ["the net alone, forward × evaluations", netFwd.median, netFwd.median / f],
        ["the net alone, pullback × stage VJPs", netPull.median, netPull.median / f],
        ["A(P)·u backward kernels × stage VJPs", pKernels.median, pKernels.median / f],
        ["floor: forward solve + the two backward parts", floor, floor / f],
        ["DiscreteAdjoint gradient", gradient.median, gradient.median / f],
      ],
    },
    floorRatio: floor / f,
    data: { evals, vjps, forward, gradient, netFwd, netPull, pKernels, floorRatio: floor / f },
  };
}

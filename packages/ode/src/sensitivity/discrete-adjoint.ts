/**
 * DiscreteAdjoint: the exact gradient of the computed solution (step sizes held fixed), by
 * walking the forward solve's accepted steps backward through their stages on the compiled
 * right-hand side — reverse-mode differentiation of the explicit Runge–Kutta step by hand,
 * what diffrax's RecursiveCheckpointAdjoint computes, without a generic tape.
 *
 * A step from (t, y) with size h has stages Kᵢ = f(t + cᵢh, Yᵢ), Yᵢ = y + h·Σⱼ aᵢⱼKⱼ, and
 * y₁ = Y_E, where E is the end stage (the FSAL stage, or for non-FSAL methods the row b
 * appended by the tableau), K_E = f(t₁, y₁) being the next step's K₀. Given ȳ₁ and the
 * stage cotangents K̄ᵢ (from save points inside the step, through the interpolant's weights,
 * which are linear in the stages, and K̄_E from the next step's K̄₀), in reverse stage order:
 *   Ȳᵢ = (∂f/∂u)(Yᵢ)ᵀK̄ᵢ (+ ȳ₁ for i = E),   p̄ += (∂f/∂p)(Yᵢ)ᵀK̄ᵢ,
 *   ȳ += Ȳᵢ,   K̄ⱼ += h·aᵢⱼ·Ȳᵢ (j < i),
 * one VJP per stage with a nonzero cotangent, in one pass through f's program (state and
 * parameter cotangents together): as many VJPs as the forward solve made evaluations.
 * Stage inputs Yᵢ are recomputed from the stored stages (one stacked sum, no evaluation).
 *
 * Memory: by default the stages of every step (stored by the forward solve as its dense
 * output). With `checkpoints: K` the forward solve keeps at most K step states (every m-th,
 * m doubling whenever K would be exceeded) and the backward walk recomputes the stages of
 * one segment between checkpoints at a time: at most 2·steps/K steps of stages in memory,
 * one extra forward evaluation per stage.
 *
 * References: Hairer, Lubich & Wanner, Geometric Numerical Integration (2006) §VI.6 (adjoint
 * of a Runge–Kutta method); Sandu, "On the properties of Runge–Kutta discrete adjoints"
 * (ICCS 2006); Griewank & Walther, Evaluating Derivatives (2008) ch. 12 (checkpointing).
 */
import {
  allocEmptyF64,
  allocF64,
  axpy,
  copyRange,
  freeArray,
  ger,
  giveBuffer,
  matvecT,
  takeBuffer,
  takeZeroed,
} from "@udekit/kernels";
import { interpolationWeights } from "../interpolation/polynomial-interpolant.js";
import type { InPlaceRhs, JacobianFunction } from "../problem.js";
import { keepShape } from "../shape-anchor.js";
import type { SolverStats } from "../solution.js";
import type { ErkSolver, OdeSolver, Stepper } from "../stepper.js";
import { releaseWorkspace, vectorViews } from "../workspace.js";
import { type AdjointContext, type BackwardResult, commitGradients } from "./adjoint-context.js";

const METHOD = "DiscreteAdjoint";

/** The forward solve's accepted steps, as the discrete adjoint reads them. */
export interface ForwardSteps {
  /** Step boundaries t₀, t₁, …, t_N (N + 1 entries). */
  readonly ts: Float64Array;
  /** The step sizes the accepted attempts used (N entries; tᵢ₊₁ − tᵢ up to rounding). */
  readonly hs: Float64Array;
  /**
   * Step data for step i: writes y_i into y, y_{i+1} into yNext and the stored stages
   * (width·n entries, stages 0…E) into K. Called for i = N − 1 down to 0.
   */
  load(i: number, y: Float64Array, yNext: Float64Array, K: Float64Array): void;
  /** Stored stage vectors per step (E + 1). */
  readonly width: number;
  /** Hands any arena buffers back (a recomputing stepper's); the steps are not read afterwards. */
  release?(): void;
}

export function discreteAdjoint(ctx: AdjointContext, solver: ErkSolver, steps: ForwardSteps): BackwardResult {
  const { rhs, p, saveat, cotangent, t0 } = ctx;
  const { n } = rhs;
  const tab = solver.tableau;
  const interp = solver.dense;
  const total = tab.totalStages;
  const E = tab.endStage;
  const { ts, hs } = steps;
  const N = ts.length - 1;

  const points = new SavePoints(saveat, cotangent, t0, ts);
  const { stepOf } = points;

  const pAcc = allocF64(rhs.np);
  // Buffers the kernels read or write every stage live in their memory (no copy per call). Not
  // zeroed: every entry is written before it is read (17n entries for RK4: zeroing them took a
  // sixth of gradbench's n = 10⁵, s = 1 gradient).
  const work = allocEmptyF64((2 * total + 7) * n + 3 * total + 1);
  try {
    // ȳ sits right before K̄₀…: one rank-1 update adds Ȳ into both (walkSpread).
    const K = work.subarray(0, total * n);
    const yBarKbar = work.subarray(total * n, (2 * total + 1) * n);
    const yBar = yBarKbar.subarray(0, n);
    const Kbar = yBarKbar.subarray(n);
    let o = (2 * total + 1) * n;
    const take = (len: number): Float64Array => {
      const v = work.subarray(o, o + len);
      o += len;
      return v;
    };
    const y = take(n);
    const yNext = take(n);
    const Y = take(n);
    const Ybar = take(n);
    const yBarNext = take(n);
    const hw = take(total + 1);
    const w = take(total);
    const kbarLive = take(total);
    const Kv = vectorViews(K, total, n);
    const KbarV = vectorViews(Kbar, total, n);
    const { a, c } = tab;
    const walk: Walk = {
      n,
      total,
      a,
      rhs,
      p,
      pAcc,
      y,
      Y,
      Ybar,
      K,
      yBarKbar,
      KbarV,
      kbarLive,
      yBarLive: false,
      hw,
    };

    yBarNext.fill(0);
    // Whether ȳ of the step's end holds anything (after the last save point it is 0: no VJPs).
    let yBarNextLive = points.addAtBoundary(N, yBarNext);
    // K̄ of f(t_{i+1}, y_{i+1}): the later step's K̄₀, carried into this step's end stage.
    const carry = take(n);
    let carryLive = false;
    for (let i = N - 1; i >= 0; i--) {
      const tA = ts[i];
      const h = hs[i];
      steps.load(i, y, yNext, K);
      // The backward pass takes exactly the forward steps, one each (backward/forward ratio 1).
      ctx.stats.naccept++;
      yBarKbar.fill(0);
      kbarLive.fill(0);
      walk.yBarLive = false;
      if (carryLive) {
        KbarV[E].set(carry);
        kbarLive[E] = 1;
      }
      // Save points inside the step: y(θ) = y + hθ·Σ wⱼ(θ)Kⱼ with the step's own length.
      let extras = E + 1;
      const hInterp = ts[i + 1] - tA;
      for (let k = 0; k < saveat.length; k++) {
        if (stepOf[k] !== i) continue;
        interpolationWeights(interp, (saveat[k] - tA) / hInterp, w);
        hw[0] = 1;
        walk.yBarLive = true;
        for (let m = 0; m < interp.stages; m++) {
          hw[m + 1] = hInterp * w[m];
          if (hw[m + 1] !== 0) kbarLive[m] = 1;
        }
        ger(interp.stages + 1, n, 1, hw, cotangent.subarray(k * n, (k + 1) * n), yBarKbar);
        extras = Math.max(extras, interp.stages);
      }
      // Lazy dense-output stages (Verner): recompute them forward, then pull them back in reverse.
      for (let e = E + 1; e < extras; e++) {
        walkStageInput(walk, e, hInterp);
        rhs.f(Kv[e], Y, p, tA + c[e] * hInterp);
      }
      for (let e = extras - 1; e > E; e--) {
        if (kbarLive[e] === 0) continue; // K̄ₑ = 0: no VJP, nothing to spread
        walkStageInput(walk, e, hInterp);
        walkPullStage(walk, e, tA + c[e] * hInterp, Y);
        walkSpread(walk, e, hInterp);
      }
      // End stage: y₁ = Y_E, K_E = f(t₁, y₁) (FSAL: evaluated in the step at t + c_E·h;
      // otherwise on acceptance at t₁).
      const pulled = walkPullStage(walk, E, tab.fsal ? tA + c[E] * h : ts[i + 1], yNext);
      if (yBarNextLive) {
        if (pulled) axpy(n, 1, yBarNext, Ybar);
        else Ybar.set(yBarNext);
      }
      if (pulled || yBarNextLive) walkSpread(walk, E, h);
      for (let s = E - 1; s >= 1; s--) {
        if (kbarLive[s] === 0) continue;
        walkStageInput(walk, s, h);
        walkPullStage(walk, s, tA + c[s] * h, Y);
        walkSpread(walk, s, h);
      }
      carryLive = kbarLive[0] === 1;
      if (carryLive) carry.set(KbarV[0]);
      yBarNext.set(yBar);
      yBarNextLive = points.addAtBoundary(i, yBarNext) || walk.yBarLive;
    }
    // K₀ of the first step is f(t0, u0).
    if (N > 0 && carryLive) {
      KbarV[0].set(carry);
      kbarLive[0] = 1;
      if (walkPullStage(walk, 0, t0, ctx.u0)) axpy(n, 1, Ybar, yBarNext);
    }
    rhs.flushP(pAcc);
    return commitGradients(ctx, yBarNext, pAcc, METHOD);
  } finally {
    // Nothing deferred may outlive pAcc (a later flush would write into freed memory).
    rhs.flushP(pAcc);
    freeArray(pAcc);
    freeArray(work);
  }
}

/**
 * The arrays one explicit walk works on. Its stage operations are module functions over this
 * plain object, not closures made per gradient: a closure's optimised code, and the hidden class
 * of a class instance, are dropped at a full garbage collection once the gradient that made them
 * is over, and the next gradient would recompile them (shape-anchor.ts).
 */
interface Walk {
  n: number;
  total: number;
  a: ArrayLike<number>;
  rhs: AdjointContext["rhs"];
  p: Float64Array;
  pAcc: Float64Array;
  y: Float64Array;
  Y: Float64Array;
  Ybar: Float64Array;
  K: Float64Array;
  /** ȳ then K̄₀, K̄₁, …: contiguous, so that walkSpread is one rank-1 update. */
  yBarKbar: Float64Array;
  KbarV: Float64Array[];
  /** kbarLive[j] = 1 once something was added into K̄ⱼ this step (else K̄ⱼ = 0: no VJP). */
  kbarLive: Float64Array;
  /** False while nothing was added into ȳ this step. */
  yBarLive: boolean;
  /** Weights of a rank-1 update: 1 for ȳ, then one per stage. */
  hw: Float64Array;
}

/** Y = y + h·Σⱼ<i aᵢⱼKⱼ. */
function walkStageInput(w: Walk, i: number, h: number): void {
  const { total, a, hw } = w;
  w.Y.set(w.y);
  for (let j = 0; j < i; j++) hw[j] = h * a[i * total + j];
  matvecT(i, w.n, w.K, hw, w.Y, true);
}

/**
 * Ȳ = (∂f/∂u)(Y)ᵀK̄ᵢ, p̄ += (∂f/∂p)(Y)ᵀK̄ᵢ; returns false when nothing was added into K̄ᵢ
 * (K̄ᵢ = 0: no VJP). Tracked rather than scanned for: a sparse cotangent (gradbench's, e_{n−1},
 * spreads one entry per stage) made the scan read nearly all of K̄ᵢ at every stage.
 */
function walkPullStage(w: Walk, i: number, t: number, input: Float64Array): boolean {
  if (w.kbarLive[i] === 0) return false;
  w.rhs.vjpUAndPAccumulate(w.Ybar, w.pAcc, 1, w.KbarV[i], input, w.p, t);
  return true;
}

/** ȳ += Ȳ and K̄ⱼ += h·aᵢⱼ·Ȳ for j < i, as one rank-1 update of [ȳ; K̄₀; …]. */
function walkSpread(w: Walk, i: number, h: number): void {
  const { total, a, hw, kbarLive } = w;
  hw[0] = 1;
  w.yBarLive = true;
  for (let j = 0; j < i; j++) {
    const v = h * a[i * total + j];
    hw[j + 1] = v;
    if (v !== 0) kbarLive[j] = 1;
  }
  ger(i + 1, w.n, 1, hw, w.Ybar, w.yBarKbar);
}

/**
 * Where each save point's cotangent enters a walk over the forward steps: at a step boundary
 * (boundaryOf[k], the state y_i; t0 is boundary 0) or inside step stepOf[k] (through the
 * interpolant); the other entry is −1. Shared by the explicit and Rosenbrock walks.
 */
export class SavePoints {
  readonly boundaryOf: Int32Array;
  readonly stepOf: Int32Array;
  /** The cotangent of each save point, as a view (made once per walk, read by axpy). */
  private readonly rows: Float64Array[];
  constructor(
    private readonly saveat: Float64Array,
    cotangent: Float64Array,
    t0: number,
    ts: Float64Array,
  ) {
    const N = ts.length - 1;
    const dir = N > 0 ? Math.sign(ts[N] - ts[0]) : 1;
    this.boundaryOf = new Int32Array(saveat.length).fill(-1);
    this.stepOf = new Int32Array(saveat.length).fill(-1);
    for (let k = 0, i = 0; k < saveat.length; k++) {
      const s = saveat[k];
      if (s === t0) {
        this.boundaryOf[k] = 0;
        continue;
      }
      while (i < N - 1 && dir * (ts[i + 1] - s) < 0) i++;
      if (s === ts[i + 1]) this.boundaryOf[k] = i + 1;
      else this.stepOf[k] = i;
    }
    const n = cotangent.length / saveat.length;
    this.rows = Array.from(saveat, (_, k) => cotangent.subarray(k * n, (k + 1) * n));
  }

  /** into += the cotangents of the save points at step boundary `boundary`; false when there are none. */
  addAtBoundary(boundary: number, into: Float64Array): boolean {
    let added = false;
    for (let k = 0; k < this.saveat.length; k++) {
      if (this.boundaryOf[k] !== boundary) continue;
      axpy(into.length, 1, this.rows[k], into);
      added = true;
    }
    return added;
  }
}

/**
 * Steps served from a dense store of blocks of `stride` vectors per step, the step's `width`
 * stage vectors starting `skip` vectors into its block (a composite's store keeps a tag vector
 * first).
 */
export function stridedSteps(
  ts: Float64Array,
  hs: Float64Array,
  us: Float64Array,
  ks: Float64Array,
  stride: number,
  skip: number,
  width: number,
  n: number,
): ForwardSteps {
  return new StridedSteps(ts, hs, us, ks, stride, skip, width, n);
}

// A class with one instance kept alive (shape-anchor.ts), not an object literal with a closure
// per gradient: `load` keeps its optimised code across full garbage collections.
class StridedSteps implements ForwardSteps {
  constructor(
    readonly ts: Float64Array,
    readonly hs: Float64Array,
    private readonly us: Float64Array,
    private readonly ks: Float64Array,
    private readonly stride: number,
    private readonly skip: number,
    readonly width: number,
    private readonly n: number,
  ) {}

  load(i: number, y: Float64Array, yNext: Float64Array, K: Float64Array): void {
    const { us, ks, n } = this;
    copyRange(y, 0, us, i * n, n);
    copyRange(yNext, 0, us, (i + 1) * n, n);
    copyRange(K, 0, ks, (i * this.stride + this.skip) * n, this.width * n);
  }
}
const NONE = new Float64Array(0);
keepShape(new StridedSteps(NONE, NONE, NONE, NONE, 1, 0, 0, 0));

/** Steps served from the forward solve's dense store (every step's stages kept). */
export function storedSteps(
  ts: Float64Array,
  hs: Float64Array,
  us: Float64Array,
  ks: Float64Array,
  width: number,
  n: number,
): ForwardSteps {
  return stridedSteps(ts, hs, us, ks, width, 0, width, n);
}

/**
 * Steps recomputed from checkpoints: `states` holds y at steps 0, m, 2m, … (m = stride); the
 * stages of the segment that contains the requested step are recomputed forward with the
 * method's own stepper (bit-for-bit the forward solve's stages, given the same right-hand
 * side and Jacobian) and kept until the walk leaves the segment. Any solver family.
 */
export function checkpointedSteps(
  solver: OdeSolver,
  rhsF: InPlaceRhs,
  jac: JacobianFunction | undefined,
  p: Float64Array,
  n: number,
  ts: Float64Array,
  hs: Float64Array,
  states: Float64Array,
  stride: number,
): ForwardSteps & { segmentStats: SolverStats } {
  const stats: SolverStats = { nf: 0, njac: 0, nlu: 0, naccept: 0, nreject: 0 };
  const stepper: Stepper = solver.createStepper({ n, f: rhsF, p, jac, tgrad: undefined, stats });
  const width = stepper.denseVectors;
  // One segment's states and stages; the stepper works on two rotating vectors (copied into
  // the segment store), so a walk makes no view per step.
  // Pooled (given back by release): fresh large arrays per gradient are slow to touch.
  const segY = takeBuffer((stride + 1) * n);
  const segK = takeBuffer(stride * width * n);
  const err = takeZeroed(n);
  let yA = takeZeroed(n);
  let yB = takeZeroed(n);
  let segStart = -1;
  const N = ts.length - 1;
  const recompute = (start: number): void => {
    const end = Math.min(start + stride, N);
    const c0 = (start / stride) * n;
    copyRange(yA, 0, states, c0, n);
    copyRange(segY, 0, states, c0, n);
    stepper.start(ts[start], yA);
    for (let i = start; i < end; i++) {
      const r = i - start;
      stepper.attempt(ts[i], yA, hs[i], yB, err);
      stepper.accept(ts[i + 1], yB);
      stepper.saveDense(segK, r * width * n);
      copyRange(segY, (r + 1) * n, yB, 0, n);
      const t = yA;
      yA = yB;
      yB = t;
    }
    segStart = start;
  };
  return {
    ts,
    hs,
    width,
    segmentStats: stats,
    release: () => {
      releaseWorkspace(stepper);
      for (const a of [segY, segK, err, yA, yB]) giveBuffer(a);
    },
    load(i, y, yNext, K) {
      const start = i - (i % stride);
      if (start !== segStart) recompute(start);
      const r = i - start;
      copyRange(y, 0, segY, r * n, n);
      copyRange(yNext, 0, segY, (r + 1) * n, n);
      copyRange(K, 0, segK, r * width * n, width * n);
    },
  };
}

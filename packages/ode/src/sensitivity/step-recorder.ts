/**
 * The forward solve of a differentiable solve, recording what its sensitivity method reads
 * back: the accepted steps' end times and sizes always; for DiscreteAdjoint either every step's
 * state and stages (a store of its own, within a byte budget) or checkpoint states.
 *
 * Checkpoints: the states at every stride-th step, at most K of them; whenever a (K+1)-th would
 * be kept, every other one is dropped and the stride doubles, so any number of steps fits in K
 * states and each step between two checkpoints is recomputed once in the backward walk.
 *
 * The budget: a store that outgrows it is dropped mid-solve and the recording goes on as
 * checkpoints (from the states stored so far), so a long or large solve never holds more than
 * about the budget. Why a budget at all: beyond the buffer pool's size (@udekit/kernels
 * buffer-pool.ts) every gradient touches its store's pages fresh, which on the bench machine
 * cost more than recomputing every step (gradbench ode, n = 10⁵, 100 RK4 steps: a 320 MB store
 * 2.0 s per gradient, 20 checkpoints 0.89 s; BENCHMARKS.md has the table).
 */
import { giveBuffer } from "@udekit/kernels";
import type { SolveOptions } from "../options.js";
import type { ODEProblem } from "../problem.js";
import { firstDenseSteps, GrowableBuffer, type ODESolution } from "../solution.js";
import { solveInto } from "../solve.js";
import type { OdeSolver, Stepper } from "../stepper.js";
import { withStepperHooks } from "./stepper-hooks.js";

/** What the forward solve recorded about its accepted steps. */
export interface RecordedSteps {
  /** End times of the accepted steps (they bound the backward pass's steps). */
  steps: Float64Array;
  /** The step sizes of the accepted attempts. */
  hs: Float64Array;
  /** Checkpoints: states at steps 0, stride, 2·stride, … */
  states?: Float64Array;
  stride?: number;
  /** Every step's state (steps + 1 of them) and stages (`width` vectors per step). */
  store?: { us: Float64Array; ks: Float64Array; width: number };
  /** Hands the store's and the checkpoints' arrays back to the buffer pool (not read afterwards). */
  release(): void;
}

export interface RecordingPlan {
  /** Keep at most this many checkpoint states (and no store). */
  checkpoints?: number;
  /** Keep every step's stages while they take at most this many bytes, then checkpoints. */
  storeBytes?: number;
}

export function solveRecordingSteps(
  problem: ODEProblem,
  solver: OdeSolver,
  options: SolveOptions,
  plan: RecordingPlan = {},
  output?: Float64Array,
): { sol: ODESolution; recorded: RecordedSteps } {
  const n = problem.n;
  const steps: number[] = [];
  const hs: number[] = [];
  let h = 0;
  const ckpt = new Checkpoints(n);
  if (plan.checkpoints !== undefined) ckpt.begin(plan.checkpoints, problem.u0);
  let store: StageStore | undefined;
  if (plan.storeBytes !== undefined) {
    store = new StageStore(n, problem.u0, expectedSteps(problem, options), plan.storeBytes);
  }
  const recording = withStepperHooks(solver, {
    beforeAttempt: (_t, _y, hAttempt) => {
      h = hAttempt;
    },
    beforeAccept: (tNew, yNew) => {
      steps.push(tNew);
      hs.push(h);
      if (store !== undefined) {
        if (store.fits()) {
          store.pushState(yNew);
          return;
        }
        // Over budget: the states stored so far become checkpoints, and the store goes.
        ckpt.begin(store.checkpointsAfter(steps.length), store.state(0));
        for (let i = 1; i < steps.length; i++) ckpt.add(i, store.state(i));
        store.release();
        store = undefined;
      }
      if (ckpt.active) ckpt.add(steps.length, yNew);
    },
    afterAccept: (stepper) => store?.pushStages(stepper),
  });
  const sol = solveInto(problem, recording, options, output);
  const kept = store;
  return {
    sol,
    recorded: {
      steps: Float64Array.from(steps),
      hs: Float64Array.from(hs),
      states: ckpt.active ? ckpt.kept() : undefined,
      stride: ckpt.active ? ckpt.stride : undefined,
      store: kept?.view(),
      release: () => {
        kept?.release();
        ckpt.release();
      },
    },
  };
}

/**
 * The step count of a fixed-step solve (to size the store once and project it), else 0 (not
 * known). A rounding that makes the solve take one step more is caught by the per-step check.
 */
function expectedSteps(problem: ODEProblem, options: SolveOptions): number {
  const dt = options.dt;
  if (options.adaptive === false && typeof dt === "number" && dt > 0) {
    return Math.ceil(Math.abs(problem.tspan[1] - problem.tspan[0]) / dt);
  }
  return 0;
}

/** The states at every stride-th step, at most `limit` of them (the stride doubling as needed). */
class Checkpoints {
  active = false;
  stride = 1;
  private limit = 0;
  private states: GrowableBuffer | undefined;
  constructor(private readonly n: number) {}

  begin(limit: number, y0: Float64Array): void {
    this.active = true;
    this.limit = limit;
    this.stride = 1;
    // Grown as states come (a generous limit must not cost its whole size up front).
    this.states = new GrowableBuffer(Math.min(limit, 64) * this.n);
    this.states.push(y0);
  }

  /** Offers the state after `step` accepted steps. */
  add(step: number, y: Float64Array): void {
    const { n } = this;
    const states = this.states as GrowableBuffer;
    if (step % this.stride !== 0) return;
    let count = states.length / n;
    if (count === this.limit) {
      // Keep states 0, 2·stride, 4·stride, …: every other one.
      for (let j = 1; 2 * j < count; j++) states.data.copyWithin(j * n, 2 * j * n, (2 * j + 1) * n);
      count = Math.ceil(count / 2);
      states.length = count * n;
      this.stride *= 2;
      if (step % this.stride !== 0) return;
    }
    states.push(y);
  }

  kept(): Float64Array {
    return (this.states as GrowableBuffer).trimmed();
  }

  release(): void {
    if (this.states !== undefined) giveBuffer(this.states.data);
  }
}

/** Every step's state and dense-output stages, in pooled growable buffers, within a budget. */
class StageStore {
  private readonly us: GrowableBuffer;
  private ks: GrowableBuffer | undefined;
  private width = 0;
  private steps = 0;
  constructor(
    private readonly n: number,
    y0: Float64Array,
    private readonly stepsHint: number,
    private readonly bytes: number,
  ) {
    // Room for two steps to begin with: a fixed-step solve's full size is reserved once its
    // width says that it fits (pushStages), so an oversized store never takes a large buffer
    // (given back to the pool, it would push out the arrays that are reused warm).
    this.us = new GrowableBuffer(2 * n);
    this.us.push(y0);
  }

  /**
   * Whether the store stays within its budget with one more step, and, for a fixed-step solve
   * whose width is known, with all of its steps (so an oversized one switches after one step).
   */
  fits(): boolean {
    const { n, width } = this;
    const ahead = this.ks !== undefined && this.stepsHint > 0 ? Math.max(1, this.stepsHint - this.steps) : 1;
    const stages = this.ks === undefined ? 0 : this.ks.length;
    return 8 * (this.us.length + stages + ahead * (1 + width) * n) <= this.bytes;
  }

  pushState(y: Float64Array): void {
    // Capacity within the budget (a doubling past it could outgrow the pool).
    this.us.reserve(this.n, Math.floor(this.bytes / 8));
    this.us.push(y);
    this.steps++;
  }

  pushStages(stepper: Stepper): void {
    const { n } = this;
    if (this.ks === undefined) {
      this.width = stepper.denseVectors;
      const { stepsHint, width } = this;
      const fitsAll = stepsHint > 0 && 8 * ((stepsHint + 1) * n + stepsHint * width * n) <= this.bytes;
      // A fixed-step solve that fits: sized once; otherwise room for a few steps, doubling.
      const first = fitsAll ? stepsHint : firstDenseSteps(n, width);
      if (fitsAll) this.us.reserve((stepsHint + 1) * n - this.us.length);
      this.ks = new GrowableBuffer(first * width * n);
    }
    const ks = this.ks;
    ks.reserve(this.width * n, Math.floor(this.bytes / 8));
    stepper.saveDense(ks.data, ks.length);
    ks.length += this.width * n;
  }

  /**
   * The checkpoints to keep once the store is over its budget after `steps` steps: about
   * √(2·N·width) for the expected N steps (the fixed-step count, else twice the steps so far),
   * which balances the states against a recomputed segment's stages (2·N/K steps of width
   * vectors); never more than half the budget holds, and at least 2.
   */
  checkpointsAfter(steps: number): number {
    const total = Math.max(this.stepsHint, 2 * steps);
    const balanced = Math.ceil(Math.sqrt(2 * total * Math.max(1, this.width)));
    return Math.max(2, Math.min(balanced, Math.floor(this.bytes / 2 / (8 * this.n))));
  }

  state(i: number): Float64Array {
    return this.us.data.subarray(i * this.n, (i + 1) * this.n);
  }

  view(): { us: Float64Array; ks: Float64Array; width: number } {
    return { us: this.us.trimmed(), ks: this.ks?.trimmed() ?? new Float64Array(0), width: this.width };
  }

  release(): void {
    giveBuffer(this.us.data);
    if (this.ks !== undefined) giveBuffer(this.ks.data);
  }
}

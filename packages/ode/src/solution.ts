/**
 * ODESolution: the saved times and states of a solve, its stats and retcode, and dense
 * interpolation over the whole time span with each method's own interpolant (stored per
 * step when solved with dense: true). `at(t, out)` finds the step by binary search and
 * allocates nothing when `out` is given.
 */

import { giveBuffer, takeBuffer } from "@udekit/kernels";
import { SolutionAccessError } from "./errors.js";
import type { ReturnCode } from "./retcode.js";
import { keepShape } from "./shape-anchor.js";
import type { Stepper } from "./stepper.js";
import { releaseWorkspace } from "./workspace.js";

export interface SolverStats {
  /** Right-hand-side evaluations (including finite-difference Jacobians and lazy dense-output stages). */
  nf: number;
  /** Jacobian evaluations. */
  njac: number;
  /** LU factorisations. */
  nlu: number;
  /** Accepted steps. */
  naccept: number;
  /** Rejected steps. */
  nreject: number;
  /** SDIRK methods: Newton iterations (one right-hand-side evaluation each). */
  nnonliniter?: number;
  /** Automatic composites (AutoTsit5(…)): accepted steps per member method, by name. */
  methodSteps?: Record<string, number>;
  /** Automatic composites: every change of method, in order. */
  switches?: MethodSwitch[];
}

/** One change of method by an automatic composite: where, from which method to which, and why. */
export interface MethodSwitch {
  /** Time at which the new method takes over (end of the last step of the old one). */
  t: number;
  from: string;
  to: string;
  /** The stiffness test that decided it, e.g. "stiffness estimate h·ρ = 12.3 > 3.16 for 11 steps". */
  reason: string;
}

/**
 * Steps of dense stages an adaptive solve's store has room for to begin with: a few, the store
 * capped at 2¹⁶ numbers (a large n with few steps must not pay for 64 steps of stages up front).
 */
export function firstDenseSteps(n: number, width: number): number {
  return Math.max(2, Math.min(64, Math.floor(65536 / (n * width))));
}

/**
 * A growable Float64Array (capacity doubles): amortised O(1) appends for per-step storage. Its
 * arrays come from, and outgrown ones go back to, the buffer pool (@udekit/kernels buffer-pool.ts).
 */
export class GrowableBuffer {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = takeBuffer(Math.max(16, capacity));
  }
  /** Room for `extra` more entries; doubling, but to no more than `limit` entries when that is enough. */
  reserve(extra: number, limit = Number.POSITIVE_INFINITY): void {
    if (this.length + extra <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < this.length + extra) cap *= 2;
    cap = Math.max(this.length + extra, Math.min(cap, limit));
    const next = takeBuffer(cap);
    next.set(this.data.subarray(0, this.length));
    giveBuffer(this.data);
    this.data = next;
  }
  push(x: ArrayLike<number>): void {
    this.reserve(x.length);
    const d = this.data;
    const off = this.length;
    // A typed array goes by memcpy (~10× the element loop on long vectors, no object made).
    if (x instanceof Float64Array) d.set(x, off);
    else for (let i = 0; i < x.length; i++) d[off + i] = x[i];
    this.length += x.length;
  }
  pushScalar(x: number): void {
    this.reserve(1);
    this.data[this.length++] = x;
  }
  /** The filled part, as a view (no copy: the buffer is not appended to afterwards). */
  trimmed(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
keepShape(new GrowableBuffer(16));

/** Per-step dense-output data: step boundaries, states at them, and each step's stage vectors. */
export interface DenseData {
  /** Step boundaries t₀ < t₁ < … (or > for backward solves), steps + 1 entries. */
  ts: Float64Array;
  /** States at the boundaries, (steps + 1)·n entries. */
  us: Float64Array;
  /** Stage vectors, steps·width·n entries. */
  ks: Float64Array;
  /** n-vectors per step in ks. */
  width: number;
  stepper: Stepper;
  /** The whole arrays behind ts, us and ks (handed back to the buffer pool by release()). */
  buffers: Float64Array[];
}

export class ODESolution {
  /** Saved times. */
  readonly t: number[];
  /** Saved states, flat: state i is u[i·n … (i+1)·n). */
  readonly u: Float64Array;
  readonly n: number;
  readonly retcode: ReturnCode;
  readonly message: string;
  readonly stats: SolverStats;
  /** Name of the solver that produced it. */
  readonly solver: string;
  private readonly denseData: DenseData | undefined;
  /** Scratch for dense lookups, made at the first one (most solutions never interpolate). */
  private y0View: Float64Array | undefined;

  constructor(init: {
    t: number[];
    u: Float64Array;
    n: number;
    retcode: ReturnCode;
    message: string;
    stats: SolverStats;
    solver: string;
    dense: DenseData | undefined;
  }) {
    this.t = init.t;
    this.u = init.u;
    this.n = init.n;
    this.retcode = init.retcode;
    this.message = init.message;
    this.stats = init.stats;
    this.solver = init.solver;
    this.denseData = init.dense;
    this.y0View = undefined;
  }

  /** True when the solve reached the end of the time span. */
  get success(): boolean {
    return this.retcode === "Success";
  }

  /** True when `at` can interpolate (solved with dense: true). */
  get dense(): boolean {
    return this.denseData !== undefined;
  }

  /**
   * The per-step store behind dense output (step boundaries, states and stage vectors), for
   * the sensitivity methods that walk the steps (DiscreteAdjoint); undefined without dense output.
   */
  get denseStore(): Readonly<DenseData> | undefined {
    return this.released ? undefined : this.denseData;
  }

  /**
   * Hands the dense output back now instead of at some later garbage collection: the
   * interpolation buffers (the stepper's, in the kernels' arena — a tight loop of solves never
   * yields to the finalisers, and the arena then fills up) and the per-step stores (to the
   * buffer pool, so the next solve does not map fresh pages). `at` and `denseStore` throw or
   * are undefined afterwards.
   */
  release(): void {
    const d = this.denseData;
    if (d !== undefined && !this.released) {
      releaseWorkspace(d.stepper);
      for (const b of d.buffers) giveBuffer(b);
    }
    this.released = true;
  }

  private released = false;

  /** Number of accepted steps stored for dense output (0 without dense output). */
  get steps(): number {
    return this.denseData === undefined ? 0 : this.denseData.ts.length - 1;
  }

  /** State i of the saved states: a view into `u` (or a copy into `out`). */
  state(i: number, out?: Float64Array): Float64Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.t.length) {
      throw new SolutionAccessError(
        `@udekit/ode: state(${i}) is out of range; the solution holds ${this.t.length} saved states (0…${this.t.length - 1}).`,
      );
    }
    const v = this.u.subarray(i * this.n, (i + 1) * this.n);
    if (out === undefined) return v;
    out.set(v);
    return out;
  }

  /** The states as an array of rows (copies), for printing and tests. */
  states(): number[][] {
    return this.t.map((_, i) => Array.from(this.state(i)));
  }

  /**
   * u(tq) by the method's own dense output over the whole solve. Exact (bit-for-bit) at step
   * boundaries. Writes into `out` when given (then allocation-free).
   */
  at(tq: number, out: Float64Array = new Float64Array(this.n)): Float64Array {
    const d = this.denseData;
    if (d === undefined) {
      throw new SolutionAccessError(
        "@udekit/ode: this solution has no dense output (solved with dense: false, or saveat without dense: true). Solve with { dense: true } to use at(t).",
      );
    }
    if (this.released) {
      throw new SolutionAccessError(
        "@udekit/ode: this solution's dense output was released (release()); solve again to interpolate.",
      );
    }
    const { ts, us, n } = { ts: d.ts, us: d.us, n: this.n };
    const last = ts.length - 1;
    const dir = last > 0 ? Math.sign(ts[last] - ts[0]) : 1;
    if (!(dir * (tq - ts[0]) >= 0 && dir * (ts[last] - tq) >= 0)) {
      throw new SolutionAccessError(
        `@udekit/ode: at(${tq}) is outside the solved interval [${ts[0]}, ${ts[last]}]; dense output does not extrapolate.`,
      );
    }
    // Binary search for the step i with tq in [ts[i], ts[i+1]].
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (dir * (tq - ts[mid]) >= 0) lo = mid;
      else hi = mid;
    }
    if (tq === ts[lo] || last === 0) {
      for (let j = 0; j < n; j++) out[j] = us[lo * n + j];
      return out;
    }
    if (tq === ts[hi]) {
      for (let j = 0; j < n; j++) out[j] = us[hi * n + j];
      return out;
    }
    const h = ts[hi] - ts[lo];
    this.y0View ??= new Float64Array(n);
    const y0 = this.y0View;
    for (let j = 0; j < n; j++) y0[j] = us[lo * n + j];
    d.stepper.interpolateStored((tq - ts[lo]) / h, ts[lo], h, y0, d.ks, lo * d.width * n, out);
    return out;
  }

  /** The stored steps' boundaries (steps + 1 entries, in the direction of the solve); undefined without dense output. */
  get stepTimes(): Float64Array | undefined {
    return this.released ? undefined : this.denseData?.ts;
  }

  /**
   * u at θ of stored step i (the step from stepTimes[i] to stepTimes[i + 1]) by the method's
   * dense output: the stored states themselves at θ = 0 and 1, the step's polynomial elsewhere
   * (also a little outside [0, 1]). For a caller that keeps time relative to a step boundary
   * (the stiff adjoint passes): θ then carries no rounding of the absolute time. Allocation-free;
   * no checks (a solution with dense output, not released, 0 ≤ i < steps).
   */
  atStep(i: number, theta: number, out: Float64Array): Float64Array {
    const d = this.denseData as DenseData;
    const { ts, us } = d;
    const n = this.n;
    if (theta === 0 || theta === 1) {
      const at = (theta === 0 ? i : i + 1) * n;
      for (let j = 0; j < n; j++) out[j] = us[at + j];
      return out;
    }
    this.y0View ??= new Float64Array(n);
    const y0 = this.y0View;
    for (let j = 0; j < n; j++) y0[j] = us[i * n + j];
    const h = ts[i + 1] - ts[i];
    d.stepper.interpolateStored(theta, ts[i], h, y0, d.ks, i * d.width * n, out);
    return out;
  }
}
keepShape(
  new ODESolution({
    t: [],
    u: new Float64Array(0),
    n: 0,
    retcode: "Success",
    message: "",
    stats: { nf: 0, njac: 0, nlu: 0, naccept: 0, nreject: 0 },
    solver: "",
    dense: undefined,
  }),
);

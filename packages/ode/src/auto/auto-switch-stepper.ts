/**
 * The stepper of an automatic composite (solvers/auto-switch.ts): two member steppers on one
 * problem, one of them active. After every accepted step it judges stiffness from numbers the
 * step already has, and after enough consecutive verdicts of one kind asks the integrator
 * (Stepper.takeSwitch) to continue with the other member.
 *
 * - Non-stiff member (explicit RK whose last two stages share c = 1, as Tsit5's and Vern7's):
 *   ρ from the last two stage evaluations f(t + h, gᵢ) = kᵢ: Hairer–Wanner II, §IV.2
 *   ("Automatic stiffness detection", p. 22) take ‖k_s − k_{s−1}‖ / ‖g_s − g_{s−1}‖, an estimate of
 *   the dominant eigenvalue's magnitude along the step; OrdinaryDiffEq's Tsit5/Vern7 `eigen_est`
 *   take the largest componentwise ratio, as here (see stageEstimate).
 * - Stiff member (Rosenbrock): ‖J‖∞ of the Jacobian the step computed anyway, an upper bound on
 *   the spectral radius (OrdinaryDiffEq's `calc_J`: `eigen_est = opnorm(J, Inf)`).
 *
 * A step is a stiff verdict when h·ρ / S exceeds the tolerance (nonstifftol on the non-stiff
 * member, stifftol on the stiff one), S the non-stiff member's real stability boundary
 * (auto/stability-size.ts). Verdicts are counted as OrdinaryDiffEq's AutoSwitch counts them
 * (positive for consecutive stiff, negative for consecutive non-stiff): more than maxstiffstep
 * stiff verdicts switch to the stiff member (next step × dtfac), more than maxnonstiffstep
 * non-stiff ones switch back (next step ÷ dtfac). Reference: OrdinaryDiffEq.jl,
 * src/composite_algs.jl (`AutoSwitch`, `is_stiff`), whose parameters and defaults are used here.
 *
 * Dense output: each stored step keeps the vectors of the member that took it, after a first
 * vector whose entry 0 holds the member's index, and is interpolated by that member; the
 * interpolant is continuous across switches because each piece ends at the states both share.
 * The stage recording and the switch decision allocate nothing per step (a switch pushes one
 * record onto stats.switches).
 */
import { finiteDifferenceJacobian } from "../rosenbrock/jacobian.js";
import type { MethodSwitch } from "../solution.js";
import type {
  AutoSwitchOptions,
  ErkSolver,
  MethodSwitchRequest,
  RhsContext,
  RosenbrockSolver,
  Stepper,
} from "../stepper.js";
import { aliasWorkspace, workspace } from "../workspace.js";

export class AutoSwitchStepper implements Stepper {
  readonly denseVectors: number;
  private readonly n: number;
  private readonly steppers: readonly [Stepper, Stepper];
  private readonly names: readonly [string, string];
  /** The member that takes the next attempt. */
  private active = 0;
  /** The member that took the last accepted step (its dense output is the live one). */
  private last = 0;
  /** True when the active member has not been started at the current step start. */
  private needsStart = false;
  private pending: MethodSwitchRequest | undefined = undefined;
  /** Consecutive verdicts: > 0 stiff, < 0 non-stiff (AutoSwitch's count). */
  private count = 0;
  /** The last attempted step size. */
  private h = 0;
  /** The non-stiff member's last two stage evaluations (recorded during an attempt). */
  private readonly gA: Float64Array;
  private readonly gB: Float64Array;
  private readonly kA: Float64Array;
  private readonly kB: Float64Array;
  private recording = false;
  private call = 0;
  /** Call indices (within an attempt) of the last two stage evaluations: s − 3 and s − 2. */
  private readonly callA: number;
  private readonly callB: number;
  /** ‖J‖∞ of the stiff member's last Jacobian. */
  private jacNorm = 0;
  private readonly switches: MethodSwitch[];
  private readonly steps: Record<string, number>;

  constructor(
    ctx: RhsContext,
    members: readonly [ErkSolver, RosenbrockSolver],
    private readonly stabilitySize: number,
    private readonly opts: AutoSwitchOptions,
  ) {
    const n = ctx.n;
    this.n = n;
    const [nonstiff, stiff] = members;
    const s = nonstiff.tableau.stages;
    this.callA = s - 3;
    this.callB = s - 2;
    const [gA, gB, kA, kB, tmp, col] = workspace(this, [n, n, n, n, n, n]);
    this.gA = gA;
    this.gB = gB;
    this.kA = kA;
    this.kB = kB;
    const f = ctx.f;
    const recordingF = (du: Float64Array, u: Float64Array, p: Float64Array, t: number): void => {
      f(du, u, p, t);
      if (!this.recording) return;
      const k = this.call++;
      if (k === this.callA) {
        gA.set(u);
        kA.set(du);
      } else if (k === this.callB) {
        gB.set(u);
        kB.set(du);
      }
    };
    const nonstiffStepper = nonstiff.createStepper({ ...ctx, f: recordingF });
    // The stiff member's Jacobian, computed as its engine would (user's jac, else finite
    // differences at the step start's f0), and its ∞-norm kept for the stiffness test.
    const userJac = ctx.jac;
    let stiffStepper: Stepper | undefined;
    const stiffCtx: RhsContext = {
      ...ctx,
      jac: (J, u, p, t) => {
        if (userJac !== undefined) userJac(J, u, p, t);
        else finiteDifferenceJacobian(stiffCtx, t, u, (stiffStepper as Stepper).f0, J, tmp, col);
        this.jacNorm = infNorm(J, n);
      },
    };
    stiffStepper = stiff.createStepper(stiffCtx);
    this.steppers = [nonstiffStepper, stiffStepper];
    this.names = [nonstiff.name, stiff.name];
    aliasWorkspace(this, nonstiffStepper, stiffStepper);
    this.denseVectors = 1 + Math.max(nonstiffStepper.denseVectors, stiffStepper.denseVectors);
    this.switches = [];
    this.steps = { [nonstiff.name]: 0, [stiff.name]: 0 };
    ctx.stats.switches = this.switches;
    ctx.stats.methodSteps = this.steps;
  }

  get f0(): Float64Array {
    return this.steppers[this.active].f0;
  }

  start(t: number, y: Float64Array): void {
    // A restart (a jump in y) keeps the current member: the problem's stiffness is unchanged.
    this.steppers[this.active].start(t, y);
    this.needsStart = false;
    this.count = 0;
    this.pending = undefined;
  }

  attempt(t: number, y: Float64Array, h: number, yNew: Float64Array, err: Float64Array): boolean {
    const stepper = this.steppers[this.active];
    if (this.needsStart) {
      stepper.start(t, y);
      this.needsStart = false;
    }
    this.h = h;
    if (this.active === 0) {
      this.recording = true;
      this.call = 0;
      try {
        return stepper.attempt(t, y, h, yNew, err);
      } finally {
        this.recording = false;
      }
    }
    return stepper.attempt(t, y, h, yNew, err);
  }

  accept(tNew: number, yNew: Float64Array): void {
    const m = this.active;
    this.steppers[m].accept(tNew, yNew);
    this.last = m;
    this.steps[this.names[m]]++;
    const rho = m === 0 ? this.stageEstimate() : this.jacNorm;
    const hRho = Math.abs(this.h) * rho;
    const tol = m === 0 ? this.opts.nonstifftol : this.opts.stifftol;
    const stiff = hRho / this.stabilitySize > tol;
    this.count = stiff ? (this.count < 0 ? 1 : this.count + 1) : this.count > 0 ? -1 : this.count - 1;
    const bound = tol * this.stabilitySize;
    if (m === 0 && this.count > this.opts.maxstiffstep) {
      this.switchTo(
        1,
        tNew,
        this.opts.dtfac,
        `stiffness estimate h·ρ = ${fmt(hRho)} > ${fmt(bound)} for ${this.count} steps`,
      );
    } else if (m === 1 && this.count < -this.opts.maxnonstiffstep) {
      this.switchTo(
        0,
        tNew,
        1 / this.opts.dtfac,
        `h·‖J‖∞ = ${fmt(hRho)} ≤ ${fmt(bound)} for ${-this.count} steps`,
      );
    }
  }

  private switchTo(member: number, t: number, dtFactor: number, reason: string): void {
    this.switches.push({ t, from: this.names[this.active], to: this.names[member], reason });
    this.active = member;
    this.needsStart = true;
    this.pending = { member, dtFactor };
  }

  takeSwitch(): MethodSwitchRequest | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }

  /**
   * ρ = maxᵢ |k_B,ᵢ − k_A,ᵢ| / |g_B,ᵢ − g_A,ᵢ| over the components where the stage arguments
   * differ: the ∞-norm variant OrdinaryDiffEq uses, which sees a stiff component even when it is
   * small beside the others (Robertson's y₂); the ratio of 2-norms of HW II does not.
   */
  private stageEstimate(): number {
    const { gA, gB, kA, kB, n } = this;
    let rho = 0;
    for (let i = 0; i < n; i++) {
      const dg = Math.abs(gB[i] - gA[i]);
      if (dg === 0) continue;
      const r = Math.abs(kB[i] - kA[i]) / dg;
      if (r > rho) rho = r;
    }
    return rho;
  }

  saveDense(dst: Float64Array, offset: number): void {
    dst[offset] = this.last;
    this.steppers[this.last].saveDense(dst, offset + this.n);
  }

  interpolate(theta: number, t0: number, h: number, y0: Float64Array, out: Float64Array): void {
    this.steppers[this.last].interpolate(theta, t0, h, y0, out);
  }

  interpolateStored(
    theta: number,
    t0: number,
    h: number,
    y0: Float64Array,
    store: Float64Array,
    offset: number,
    out: Float64Array,
  ): void {
    this.steppers[store[offset]].interpolateStored(theta, t0, h, y0, store, offset + this.n, out);
  }
}

function infNorm(J: Float64Array, n: number): number {
  let best = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += Math.abs(J[i * n + j]);
    if (row > best) best = row;
  }
  return best;
}

function fmt(x: number): string {
  return x.toPrecision(3);
}

/**
 * The low-level integrator: step control, tstops and retcodes around a method's Stepper.
 * `solve` drives one; the adjoint sensitivities drive their own (backward in time, with
 * restarts at cotangent jumps). Usage:
 *
 *   const integ = init(problem, Tsit5(), { reltol: 1e-8 });
 *   while (integ.step()) { integ.interpolate(tq, out); … }   // integ.t, integ.u after each step
 *   integ.reinit(u0, t0, t1);                               // restart (no FSAL reuse across it)
 *
 * Stepping allocates nothing: every buffer is created by `init`. `integ.u` and `integ.uPrev`
 * are views whose identity changes between steps (buffers rotate); read them after each step.
 * References: Hairer–Nørsett–Wanner I §II.4 (step control, starting step).
 */

import { allFinite, giveBuffer, takeZeroed } from "@udekit/kernels";
import { scaledErrorNorm } from "./controllers/error-norm.js";
import { initialStep } from "./controllers/initial-step.js";
import { PIController } from "./controllers/pi-controller.js";
import { InvalidOptionError, InvalidProblemError } from "./errors.js";
import { type ResolvedOptions, resolveOptions, type SolveOptions } from "./options.js";
import { type InPlaceRhs, isRhsChecked, type ODEProblem } from "./problem.js";
import { type ReturnCode, retcodeMessage } from "./retcode.js";
import type { SolverStats } from "./solution.js";
import type { OdeSolver, Stepper } from "./stepper.js";
import { resolveRhs } from "./tensor-rhs.js";
import { releaseWorkspace, workspace } from "./workspace.js";

export class ODEIntegrator {
  readonly problem: ODEProblem;
  readonly solver: OdeSolver;
  readonly options: ResolvedOptions;
  readonly stats: SolverStats = { nf: 0, njac: 0, nlu: 0, naccept: 0, nreject: 0 };
  /** Current time (end of the last accepted step). */
  t: number;
  /** Start of the last accepted step. */
  tPrev: number;
  /** Current state (view; identity changes between steps). */
  u: Float64Array;
  /** State at tPrev (view; identity changes between steps). */
  uPrev: Float64Array;
  /** Step size proposed for the next step (signed). */
  dt = 0;
  /** Start and end of the current integration interval. */
  t0: number;
  t1: number;
  /** +1 or −1. */
  direction: number;
  retcode: ReturnCode = "Default";
  message = "";
  /** Steps attempted (accepted + rejected) since init/reinit; compared with maxiters. */
  iters = 0;
  readonly stepper: Stepper;
  readonly rhs: InPlaceRhs;
  /**
   * Optional bound on |h| for a step starting at t (internal: the adjoint sweeps keep their
   * backward steps no longer than the forward steps they cross).
   */
  maxStepAt: ((t: number) => number) | undefined = undefined;
  /**
   * Internal (the stiff adjoint sweeps, whose clock is local to a forward step): a time scale
   * that dtmin's floor, 16ε·max(|t|, |t1 − t0|), is at least relative to (0: none).
   */
  timeScale = 0;
  /** Internal (likewise): the absolute time of t = 0, for the messages (0: t is absolute). */
  clockOrigin = 0;

  private uNew: Float64Array;
  private readonly err: Float64Array;
  private readonly scratch1: Float64Array;
  private readonly scratch2: Float64Array;
  private controller: PIController;
  /** One controller per member of a composite solver (each with its member's defaults); else [controller]. */
  private readonly controllers: readonly PIController[];
  private stops: Float64Array;
  private stopIndex = 0;
  private stopCount = 1;
  private nonFiniteStreak = 0;

  constructor(problem: ODEProblem, solver: OdeSolver, options: SolveOptions = {}) {
    checkSolver(solver);
    const [t0, t1] = problem.tspan;
    this.problem = problem;
    this.solver = solver;
    this.options = resolveOptions(options, problem.n, t0, t1, solver);
    const n = problem.n;
    const resolved = resolveRhs(problem);
    this.rhs = resolved.f;
    if (!isRhsChecked(problem)) checkRhs(problem, this.rhs);
    this.stepper = solver.createStepper({
      n,
      f: this.rhs,
      p: problem.p,
      jac: problem.jac ?? resolved.jac,
      tgrad: problem.tgrad,
      stats: this.stats,
      abstol: this.options.abstol,
      reltol: this.options.reltol,
    });
    this.controller = new PIController(this.options.controller);
    // A composite's members keep their own controller defaults (the user's overrides apply to all).
    this.controllers =
      solver.family === "composite"
        ? solver.members.map((m) => new PIController(resolveOptions(options, n, t0, t1, m).controller))
        : [this.controller];
    this.controller = this.controllers[0];
    // Not zeroed: reinit sets u and uPrev, and the stepper writes the others before they are read.
    [this.u, this.uPrev, this.uNew, this.err, this.scratch1, this.scratch2] = workspace(
      this,
      [n, n, n, n, n, n],
      { zeroed: false },
    );
    this.t0 = t0;
    this.t1 = t1;
    this.t = t0;
    this.tPrev = t0;
    this.direction = Math.sign(t1 - t0);
    this.stops = new Float64Array(this.options.tstops.length + 1);
    this.reinit(problem.u0, t0, t1);
  }

  /**
   * Restarts the integration at (t0, u0) towards t1 (defaults: the current time and end).
   * The first stage is re-evaluated (no FSAL reuse across the restart: use this after a
   * jump in u), the controller history is reset and a fresh initial step is chosen.
   */
  reinit(u0: ArrayLike<number>, t0 = this.t, t1 = this.t1): void {
    if (u0.length !== this.problem.n) {
      throw new InvalidProblemError(
        `@udekit/ode: reinit got a state of length ${u0.length}; the problem has n = ${this.problem.n}.`,
      );
    }
    if (!Number.isFinite(t0) || !Number.isFinite(t1) || t0 === t1) {
      throw new InvalidProblemError(`@udekit/ode: reinit needs finite t0 ≠ t1; got [${t0}, ${t1}].`);
    }
    this.u.set(u0);
    this.uPrev.set(u0);
    this.t0 = t0;
    this.t1 = t1;
    this.t = t0;
    this.tPrev = t0;
    this.direction = Math.sign(t1 - t0);
    // Stops strictly between t0 and t1 in the direction of integration, then t1.
    let k = 0;
    for (const s of this.options.tstops) {
      if (this.direction * (s - t0) > 0 && this.direction * (t1 - s) > 0) this.stops[k++] = s;
    }
    if (this.direction < 0) this.stops.subarray(0, k).sort().reverse();
    this.stops[k++] = t1;
    this.stopCount = k;
    this.stopIndex = 0;
    this.iters = 0;
    this.retcode = "Default";
    this.message = "";
    this.nonFiniteStreak = 0;
    this.controller.reset();
    this.stepper.start(t0, this.u);
    const dtmax = Math.min(this.options.dtmax, Math.abs(t1 - t0));
    if (this.options.dt !== undefined) this.dt = this.direction * Math.min(this.options.dt, dtmax);
    else {
      this.dt = initialStep({
        f: this.rhs,
        p: this.problem.p,
        t0,
        y0: this.u,
        f0: this.stepper.f0,
        direction: this.direction,
        order: this.solver.errorOrder,
        abstol: this.options.abstol,
        reltol: this.options.reltol,
        dtmax,
        y1: this.scratch1,
        f1: this.scratch2,
      });
      this.stats.nf++;
    }
  }

  /**
   * Internal (the stiff adjoint sweeps): after the integration reached t1 successfully, goes on
   * from there with the clock restarted: the current time becomes 0 and the integration runs to
   * `t1` (same direction). Unlike reinit, nothing restarts: the state, the stepper's first stage
   * (f at the same point), the proposed step, the controller's history and the iteration count
   * carry over, as if t1 had been a tstop.
   */
  rebase(t1: number): void {
    if (this.retcode !== "Success" || !(this.direction * t1 > 0)) {
      throw new InvalidProblemError(
        `@udekit/ode: rebase(${t1}) needs a finished integration and an end in its direction.`,
      );
    }
    this.t0 = 0;
    this.t = 0;
    this.tPrev = 0;
    this.t1 = t1;
    this.stops[0] = t1;
    this.stopCount = 1;
    this.stopIndex = 0;
    this.retcode = "Default";
    this.message = "";
    // A fixed-step method resumes its nominal step, as after a tstop.
    if (!this.options.adaptive) this.dt = this.direction * (this.options.dt ?? Math.abs(this.dt));
  }

  /** True once the end was reached or a failure retcode was set. */
  get done(): boolean {
    return this.retcode !== "Default";
  }

  private fail(code: ReturnCode, detail = ""): false {
    this.retcode = code;
    this.message = retcodeMessage(code, this.clockOrigin + this.t, detail);
    return false;
  }

  private dtminAt(t: number): number {
    const floor = 16 * Number.EPSILON * Math.max(Math.abs(t), Math.abs(this.t1 - this.t0), this.timeScale);
    return Math.max(this.options.dtmin ?? 0, floor);
  }

  /**
   * Takes one accepted step (rejected attempts are retried inside). Returns true when a step
   * was accepted; false when the integration had already ended or a failure retcode was set.
   * After the step that reaches t1, retcode is "Success" (and step() still returned true).
   */
  step(): boolean {
    if (this.done) return false;
    const { options, controller, stepper, direction } = this;
    const adaptive = options.adaptive;
    for (;;) {
      if (this.iters >= options.maxiters) return this.fail("MaxIters", ` = ${options.maxiters}`);
      const stop = this.stops[this.stopIndex];
      const remaining = stop - this.t;
      let h = direction * Math.min(Math.abs(this.dt), options.dtmax, this.maxStepAt?.(this.t) ?? Infinity);
      let hitsStop = false;
      // Snap to the stop when the step reaches it (or falls short by rounding only).
      if (direction * (h - remaining) >= -1e-10 * Math.abs(h)) {
        h = remaining;
        hitsStop = true;
      } else {
        // The step the time grid can represent: t + h is rounded to a double when the step
        // is accepted, so take h = fl(t + h) − t (exact) and let the stages, the new state and
        // the stored step [t, t + h] agree on the same h.
        h = this.t + h - this.t;
      }
      const dtmin = this.dtminAt(this.t);
      if (adaptive && Math.abs(h) < dtmin && !hitsStop) {
        return this.fail(
          "DtLessThanMin",
          ` = ${dtmin.toExponential(2)} (|dt| = ${Math.abs(h).toExponential(2)})`,
        );
      }
      this.iters++;
      const ok = stepper.attempt(this.t, this.u, h, this.uNew, this.err);
      let accepted: boolean;
      let errNorm = 0;
      if (adaptive) {
        errNorm = ok
          ? scaledErrorNorm(this.err, this.u, this.uNew, options.abstol, options.reltol)
          : Number.NaN;
        if (!ok || Number.isNaN(errNorm) || !allFinite(this.uNew.length, this.uNew)) {
          // Non-finite trial, or a step the stepper could not compute (singular W, Newton
          // iteration not converging): shrink hard and retry; give up below dtmin.
          this.stats.nreject++;
          this.nonFiniteStreak++;
          this.dt = h * options.controller.qmin;
          if (Math.abs(this.dt) < dtmin || this.nonFiniteStreak > 50) {
            return ok
              ? this.fail("Unstable", " while shrinking the step")
              : this.fail("Failure", `${this.whyNot()} while the step shrank`);
          }
          continue;
        }
        accepted = errNorm <= 1;
      } else {
        if (!ok) return this.fail("Failure", `${this.whyNot()}; use a smaller dt`);
        if (!allFinite(this.uNew.length, this.uNew)) return this.fail("Unstable");
        accepted = true;
      }
      if (!accepted) {
        this.stats.nreject++;
        this.dt = controller.reject(h, errNorm);
        continue;
      }
      this.nonFiniteStreak = 0;
      if (adaptive) this.dt = controller.accept(h, errNorm);
      // Rotate buffers: uPrev ← u, u ← uNew.
      const old = this.uPrev;
      this.uPrev = this.u;
      this.u = this.uNew;
      this.uNew = old;
      this.tPrev = this.t;
      this.t = hitsStop ? stop : this.t + h;
      stepper.accept(this.t, this.u);
      this.stats.naccept++;
      const change = stepper.takeSwitch?.();
      if (change !== undefined) {
        // A composite changed method: its member's controller takes over, with fresh history.
        this.controller = this.controllers[change.member];
        this.controller.reset();
        if (adaptive) this.dt *= change.dtFactor;
      }
      if (hitsStop) {
        this.stopIndex++;
        if (this.stopIndex >= this.stopCount) {
          this.retcode = "Success";
          this.message = retcodeMessage("Success", this.clockOrigin + this.t);
        } else if (!adaptive) {
          // A fixed-step method resumes its nominal step after a tstop.
          this.dt = direction * (options.dt ?? Math.abs(h));
        }
      }
      return true;
    }
  }

  /** Why the stepper's last attempt could not be computed (its own words, else a singular W). */
  private whyNot(): string {
    return this.stepper.failureReason?.() || "the W-matrix is singular";
  }

  /**
   * Hands the integrator's and its stepper's buffers back to the kernels' arena now (they are
   * also released when the integrator is garbage-collected). Do not use it afterwards.
   */
  dispose(): void {
    releaseWorkspace(this);
    releaseWorkspace(this.stepper);
    this.retcode = this.retcode === "Default" ? "Failure" : this.retcode;
  }

  /** Dense output inside the last accepted step [tPrev, t]; writes into out (allocation-free). */
  interpolate(tq: number, out: Float64Array): Float64Array {
    const h = this.t - this.tPrev;
    if (h === 0) {
      out.set(this.u);
      return out;
    }
    const theta = (tq - this.tPrev) / h;
    this.stepper.interpolate(theta, this.tPrev, h, this.uPrev, out);
    return out;
  }
}

/** A solver factory passed uncalled, or something that is not a solver, gets a message that says what to pass. */
function checkSolver(solver: unknown): void {
  if (typeof solver === "function") {
    const name = solver.name || "Tsit5";
    throw new InvalidOptionError(
      `@udekit/ode: got the solver factory ${name} itself; call it: ${name}() (e.g. solve(problem, ${name}(), options)).`,
    );
  }
  if (
    solver === null ||
    typeof solver !== "object" ||
    typeof (solver as OdeSolver).createStepper !== "function"
  ) {
    throw new InvalidOptionError(
      `@udekit/ode: the solver must be a method such as Tsit5(), Rodas5P() or AutoTsit5(Rosenbrock23()); got ${solver === null ? "null" : typeof solver}.`,
    );
  }
}

/** A value no right-hand side writes by accident: marks entries f did not touch. */
const UNSET = -7.291092638122591e-287;

/**
 * Calls the right-hand side once at (u0, t0) with a du one entry longer than u0, pre-filled
 * with a sentinel: an entry of the first n left untouched means f's output is shorter than
 * u0; a NaN there means f is not finite at the start; a write to the extra entry means f's
 * output is longer than u0.
 */
function checkRhs(problem: ODEProblem, f: InPlaceRhs): void {
  const n = problem.n;
  // Pooled: on a large state, fresh arrays per solve cost more than the check itself.
  const du = takeZeroed(n + 1).fill(UNSET);
  const u = takeZeroed(n);
  u.set(problem.u0);
  try {
    f(du, u, problem.p, problem.tspan[0]);
    checkRhsOutput(problem, du);
  } finally {
    giveBuffer(du);
    giveBuffer(u);
  }
}

function checkRhsOutput(problem: ODEProblem, du: Float64Array): void {
  const n = problem.n;
  for (let i = 0; i < n; i++) {
    if (du[i] === UNSET) {
      throw new InvalidProblemError(
        `@udekit/ode: f left du[${i}] unset at t0 = ${problem.tspan[0]}; f must write all ${n} entries of du (one per entry of u0). Check that u0 has the length f expects.`,
      );
    }
  }
  if (du[n] !== UNSET) {
    throw new InvalidProblemError(
      `@udekit/ode: f wrote du[${n}], beyond the ${n} entries of u0; u0 must have one entry per equation. Check the length of u0.`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(du[i])) {
      throw new InvalidProblemError(
        `@udekit/ode: f(u0, p, t0) gives NaN in du[${i}] at t0 = ${problem.tspan[0]}; the right-hand side must be finite at the initial state. Check u0, p and f.`,
      );
    }
  }
}

/** Creates an integrator: the object `solve` drives, for callers that step by hand. */
export function init(problem: ODEProblem, solver: OdeSolver, options: SolveOptions = {}): ODEIntegrator {
  if (!(problem instanceof Object) || typeof (problem as ODEProblem).n !== "number") {
    throw new InvalidOptionError("@udekit/ode: init(problem, solver, options) needs an ODEProblem.");
  }
  return new ODEIntegrator(problem, solver, options);
}

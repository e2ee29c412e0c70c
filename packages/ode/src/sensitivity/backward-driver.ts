/**
 * The backward driver every continuous adjoint runs on: from the last save point back to t0,
 * add each save point's cotangent to λ (a jump), restart the integrator there (never reuse
 * an FSAL stage across a jump: reinit re-evaluates the first stage) and integrate to the
 * previous save point. With checkpointing (or without a stored dense forward output) each
 * interval's forward piece is re-solved first. The per-method parts are a BackwardSweep: the
 * adjoint state and its right-hand side, and hooks after each step and each interval.
 *
 * Every interval is integrated with the context's stepping options (reltol, abstol, dt,
 * dtmin, dtmax, maxiters: the sensealg's, else the forward solve's), so a fixed-step forward
 * solve gets a fixed-step backward pass and maxiters bounds it. A failed interval ends the
 * pass with its retcode, the time it reached and what to try.
 *
 * Backward steps are never longer than twice the forward step they start in (when the sweep
 * reads a forward solution). λ's own error control does not see how fast u(t) varies (for a
 * linear f it does not depend on u at all), yet the parameter integral ∫ λᵀ ∂f/∂p(u(t)) dt
 * does: a backward step of 0.06 across the forward solution's initial transient (forward
 * steps of 0.004) misses it and the gradient error stalls near 1e-4 whatever the tolerance.
 * The forward steps say where u needs resolving. Stopping exactly at every forward boundary
 * (tstops) resolves it too, but cuts most backward steps in two; the bound does not (seed
 * model, Tsit5 at 1e-6: 165 backward steps instead of 215, same gradient error).
 *
 * A stiff sweep (stopAtForwardSteps) over a dense output stored per step runs in local time:
 * the integrator goes through the stored steps one at a time, each with its clock at 0 at the
 * step's end (the boundary the backward pass enters it from; rebase: the integration carries on
 * as across a tstop), and the sweep reads u by (step, θ = 1 + t/h). In absolute time each stage
 * time t + cᵢh is rounded to ulp(t) (1.1e-13 at t ≈ 807), which inside a fast transient moves
 * the u the stages read against the λ they carry: on Van der Pol μ = 1000 across its relaxation
 * jump that left InterpolatingAdjoint after Rodas5P at 3e-7 … 6e-6 of DiscreteAdjoint at
 * reltol 1e-10 … 1e-12 (the same problem shifted to t ≈ 0: 1e-8).
 */
import { init, type ODEIntegrator } from "../integrator.js";
import type { InPlaceRhs, JacobianFunction, TimeDerivativeFunction } from "../problem.js";
import { ODEProblem } from "../problem.js";
import type { OdeSolver } from "../stepper.js";
import {
  type AdjointContext,
  addStats,
  type BackwardResult,
  type DenseForward,
  type ForwardPiece,
  intervalEnd,
  SUCCESS,
  stateBefore,
} from "./adjoint-context.js";

export interface BackwardSweep {
  /** The adjoint state, updated in place; λ sits at lambdaOffset. */
  state: Float64Array;
  /** Offset of λ in state, where the cotangent jumps land (default 0). */
  lambdaOffset?: number;
  rhs: InPlaceRhs;
  jac?: JacobianFunction;
  tgrad?: TimeDerivativeFunction;
  /** The solver to integrate with (possibly wrapped with hooks). */
  solver: OdeSolver;
  /**
   * Called when the forward piece in use changes, with the length of the forward step a
   * backward step from t enters (pieceLength). Absent for a sweep that does not read the
   * forward solution (BacksolveAdjoint): then nothing is re-solved and steps are not bounded.
   */
  setForward?(forward: DenseForward, pieceLength: (t: number) => number): void;
  /**
   * Local time (with stopAtForwardSteps, over a dense output with stepTimes and atStep): called
   * after setForward whenever the backward integration enters stored step i of `forward`, of
   * length h (forward direction; h = stepTimes[i + 1] − stepTimes[i]), whose end stepTimes[i + 1]
   * is t = 0 of the integrator's clock (origin, the absolute time).
   */
  setStep?(forward: DenseForward, i: number, h: number, origin: number): void;
  /** Called after each accepted backward step. */
  afterStep?(integ: ODEIntegrator): void;
  /**
   * Called when the interval of save point k has been integrated back to its start, with the
   * state there (may throw, or correct the state in place).
   */
  afterInterval?(k: number, state: Float64Array): void;
  /**
   * Step exactly to every forward step boundary (a stiff backward solver: its stages then read
   * one polynomial piece of the dense output per step, a smooth function, instead of straddling
   * a kink where the piecewise interpolant's derivative jumps; Rosenbrock methods lose their
   * order across such kinks and their error estimate does not see it).
   */
  stopAtForwardSteps?: boolean;
  /** Name for messages. */
  method: string;
}

/**
 * The forward step ends inside the span between from and to (either order). The forward solve
 * runs on to the end of tspan, past the last save point where the backward pass starts: its
 * later steps are no stops of the backward integrator (whose options refuse times outside its
 * span).
 */
function stepsWithin(steps: Float64Array, from: number, to: number): Float64Array {
  const lo = Math.min(from, to);
  const hi = Math.max(from, to);
  return steps.filter((t) => t >= lo && t <= hi);
}

export function sweepBackward(
  ctx: AdjointContext,
  checkpointing: boolean,
  sweep: BackwardSweep,
): BackwardResult {
  const { saveat, cotangent } = ctx;
  const n = ctx.rhs.n;
  const { state, setForward, setStep, afterStep } = sweep;
  const offset = sweep.lambdaOffset ?? 0;
  const readsForward = setForward !== undefined;
  const resolving = readsForward && (checkpointing || ctx.dense === undefined);
  const backward = -Math.sign(saveat[saveat.length - 1] - ctx.t0);
  // Local time: a stiff sweep over a dense output stored per step (see the module comment).
  const localTime =
    sweep.stopAtForwardSteps === true &&
    setStep !== undefined &&
    readsForward &&
    (resolving || (ctx.dense?.atStep !== undefined && ctx.dense.stepTimes !== undefined));
  /** forwardSteps: the ends of the forward steps of the piece being integrated back. */
  const makeIntegrator = (
    from: number,
    to: number,
    pieceLength: ((t: number) => number) | undefined,
    forwardSteps: Float64Array | undefined,
  ): ODEIntegrator => {
    const problem = new ODEProblem(sweep.rhs, state, [from, to], new Float64Array(0), {
      kind: "inplace",
      jac: sweep.jac,
      tgrad: sweep.tgrad,
    });
    // An object literal of fixed keys, not a spread copy (see solve-ode.ts, solveOptionsOf).
    const s = ctx.stepping;
    const integ = init(problem, sweep.solver, {
      reltol: s.reltol,
      abstol: s.abstol,
      dt: s.dt,
      dtmin: s.dtmin,
      dtmax: s.dtmax,
      maxiters: s.maxiters,
      adaptive: s.adaptive,
      tstops:
        sweep.stopAtForwardSteps === true && forwardSteps !== undefined
          ? stepsWithin(forwardSteps, from, to)
          : undefined,
    });
    if (pieceLength !== undefined) integ.maxStepAt = (t) => FORWARD_STEP_FACTOR * pieceLength(t);
    return integ;
  };
  let wholeSpan: ((t: number) => number) | undefined;
  if (readsForward && !resolving) {
    wholeSpan = forwardPieceLength(ctx.t0, ctx.forwardSteps, backward);
    setForward(ctx.dense as DenseForward, wholeSpan);
  }
  let integ: ODEIntegrator | undefined;
  let lastPiece: ForwardPiece | undefined;
  let result = SUCCESS;
  for (let k = saveat.length - 1; k >= 0; k--) {
    for (let i = 0; i < n; i++) state[offset + i] += cotangent[k * n + i];
    const from = saveat[k];
    const to = intervalEnd(ctx, k);
    if (from === to) continue;
    let forward = ctx.dense as DenseForward;
    if (resolving) {
      const piece = ctx.resolve(to, stateBefore(ctx, k), from);
      const pieceLength = forwardPieceLength(to, piece.steps, backward);
      (setForward as NonNullable<BackwardSweep["setForward"]>)(piece.dense, pieceLength);
      forward = piece.dense;
      if (integ !== undefined) {
        addStats(ctx.stats, integ.stats);
        integ.dispose();
        integ = undefined;
      }
      lastPiece?.release?.();
      lastPiece = piece;
      if (!localTime) integ = makeIntegrator(from, to, pieceLength, piece.steps);
    }
    // Local time: the stored steps from the one `from` lies in (i) back to the one `to` lies in
    // (last), each integrated on a clock that is 0 at its end.
    const ts = localTime ? (forward.stepTimes as Float64Array) : EMPTY;
    let i = 0;
    let last = 0;
    let origin = 0;
    if (localTime) {
      i = stepBefore(ts, from, true);
      last = stepBefore(ts, to, false);
      origin = ts[i + 1];
      const h = origin - ts[i];
      (setStep as NonNullable<BackwardSweep["setStep"]>)(forward, i, h, origin);
      const start = from - origin;
      const end = i === last ? to - origin : -h;
      // One integrator over the whole backward pass (or per re-solved piece), restarted on each
      // interval; made over a span as long as the absolute one (its default dtmax).
      integ ??= makeIntegrator(
        0,
        resolving ? to - from : ctx.t0 - saveat[saveat.length - 1],
        undefined,
        undefined,
      );
      integ.reinit(state, start, end);
      integ.timeScale = Math.max(Math.abs(from), Math.abs(to), Math.abs(from - to));
      integ.clockOrigin = origin;
    } else if (!resolving) {
      // One integrator over the whole backward span, restarted on each interval (its stats add up).
      integ ??= makeIntegrator(saveat[saveat.length - 1], ctx.t0, wholeSpan, ctx.forwardSteps);
      integ.reinit(state, from, to);
    }
    const it = integ as ODEIntegrator;
    for (;;) {
      while (it.step()) afterStep?.(it);
      if (!localTime || it.retcode !== "Success" || i === last) break;
      // On into the previous stored step, as across a tstop.
      i--;
      origin = ts[i + 1];
      const h = origin - ts[i];
      (setStep as NonNullable<BackwardSweep["setStep"]>)(forward, i, h, origin);
      it.rebase(i === last ? to - origin : -h);
      it.clockOrigin = origin;
    }
    if (it.retcode !== "Success") {
      result = {
        retcode: it.retcode,
        message: `${sweep.method} backward pass, interval [${to}, ${from}]: ${it.message}`,
        t: localTime ? origin + it.t : it.t,
      };
      break;
    }
    state.set(it.u);
    sweep.afterInterval?.(k, state);
  }
  if (integ !== undefined) {
    addStats(ctx.stats, integ.stats);
    // Hand the integrators' arena buffers back now (a training loop never reaches the finalisers).
    integ.dispose();
  }
  lastPiece?.release?.();
  return result;
}

/**
 * The stored step (index into the boundaries ts, in the forward direction) that t lies in:
 * the last one starting before t (strict: the step t ends, when t is a boundary) or at or
 * before it (not strict: the step t starts).
 */
function stepBefore(ts: Float64Array, t: number, strict: boolean): number {
  const last = ts.length - 1;
  const dir = last > 0 && ts[last] < ts[0] ? -1 : 1;
  let lo = 0;
  let hi = last;
  // Invariant: ts[lo] is before t (or at it, not strict); ts[hi] is not.
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const d = dir * (t - ts[mid]);
    if (strict ? d > 0 : d >= 0) lo = mid;
    else hi = mid;
  }
  return lo;
}

const EMPTY = new Float64Array(0);

/** How much longer than the forward step it starts in a backward step may be. */
const FORWARD_STEP_FACTOR = 2;

/**
 * The length of the forward step [a, b] that a backward step from t enters (direction: the
 * backward one, ±1); Infinity outside the forward steps. The forward steps start at `start`
 * and end at `steps`.
 */
function forwardPieceLength(start: number, steps: Float64Array, direction: number): (t: number) => number {
  const b = Float64Array.from([start, ...steps]).sort();
  const last = b.length - 1;
  return (t) => {
    // The piece [b[lo], b[lo + 1]] with t inside it or at its end the backward step leaves from.
    let lo = 0;
    let hi = last;
    if (direction < 0 ? t <= b[0] || t > b[last] : t < b[0] || t >= b[last]) return Infinity;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (direction < 0 ? b[mid] < t : b[mid] <= t) lo = mid;
      else hi = mid;
    }
    return b[hi] - b[lo];
  };
}

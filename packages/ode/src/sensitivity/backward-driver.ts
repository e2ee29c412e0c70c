/**
 * The backward sweep shared by the adjoint methods: from the last save point back to t0,
 * adding each save point's cotangent to λ (a jump; the integrator restarts there, so no
 * FSAL stage is reused across it) and integrating to the previous save point. With
 * checkpointing (or without a stored dense forward output) each interval's forward piece
 * is re-solved first.
 *
 * Backward steps are never longer than twice the forward step they start in. λ's own error
 * control does not see how fast u(t) varies (for a linear f it does not depend on u at all), yet
 * the parameter integral ∫ λᵀ ∂f/∂p(u(t)) dt does: a backward step of 0.06 across the forward
 * solution's initial transient (forward steps of 0.004) misses it and the gradient error stalls
 * near 1e-4 whatever the tolerance. The forward steps say where u needs resolving. Stopping
 * exactly at every forward boundary (tstops) resolves it too, but cuts most backward steps in
 * two; the bound does not (seed model, Tsit5 at 1e-6: 165 backward steps instead of 215, same
 * gradient error).
 */
import { init, type ODEIntegrator } from "../integrator.js";
import type { InPlaceRhs, JacobianFunction } from "../problem.js";
import { ODEProblem } from "../problem.js";
import type { OdeSolver } from "../stepper.js";
import {
  type AdjointContext,
  addStats,
  type BackwardResult,
  type DenseForward,
  intervalEnd,
  stateBefore,
} from "./adjoint-context.js";

export interface BackwardSweep {
  /** The adjoint state; its first n entries are λ. Updated in place. */
  state: Float64Array;
  rhs: InPlaceRhs;
  jac?: JacobianFunction;
  /** The solver to integrate with (possibly wrapped with hooks). */
  solver: OdeSolver;
  /** Called when the forward piece in use changes. */
  setForward(forward: DenseForward): void;
  /** Called after each accepted backward step. */
  afterStep?(integ: ODEIntegrator): void;
  /** Name for messages. */
  method: string;
}

export function sweepBackward(
  ctx: AdjointContext,
  checkpointing: boolean,
  sweep: BackwardSweep,
): BackwardResult {
  const { saveat, cotangent } = ctx;
  const n = ctx.rhs.n;
  const { state } = sweep;
  const resolving = checkpointing || ctx.dense === undefined;
  if (!resolving) sweep.setForward(ctx.dense as DenseForward);
  /** forwardSteps: the ends of the forward steps that started at forwardStart. */
  const makeIntegrator = (
    from: number,
    to: number,
    forwardStart: number,
    forwardSteps: Float64Array,
  ): ODEIntegrator => {
    const problem = new ODEProblem(sweep.rhs, state, [from, to], new Float64Array(0), {
      kind: "inplace",
      jac: sweep.jac,
    });
    const integ = init(problem, sweep.solver, { reltol: ctx.reltol, abstol: ctx.abstol });
    integ.maxStepAt = forwardStepBound(forwardStart, forwardSteps, Math.sign(to - from));
    return integ;
  };
  let integ: ODEIntegrator | undefined;
  let result: BackwardResult = { retcode: "Success", message: "" };
  for (let k = saveat.length - 1; k >= 0; k--) {
    for (let i = 0; i < n; i++) state[i] += cotangent[k * n + i];
    const from = saveat[k];
    const to = intervalEnd(ctx, k);
    if (from === to) continue;
    if (resolving) {
      const piece = ctx.resolve(to, stateBefore(ctx, k), from);
      sweep.setForward(piece.dense);
      if (integ !== undefined) addStats(ctx.stats, integ.stats);
      integ = makeIntegrator(from, to, to, piece.steps);
    } else {
      // One integrator over the whole backward span, restarted on each interval.
      integ ??= makeIntegrator(saveat[saveat.length - 1], ctx.t0, ctx.t0, ctx.forwardSteps);
      integ.reinit(state, from, to);
    }
    const { afterStep } = sweep;
    while (integ.step()) afterStep?.(integ);
    if (integ.retcode !== "Success") {
      result = { retcode: integ.retcode, message: `${sweep.method} backward pass: ${integ.message}` };
      break;
    }
    state.set(integ.u);
  }
  if (integ !== undefined) addStats(ctx.stats, integ.stats);
  return result;
}

/** How much longer than the forward step it starts in a backward step may be. */
const FORWARD_STEP_FACTOR = 2;

/**
 * |h| bound for a backward step starting at t: FORWARD_STEP_FACTOR × the length of the forward
 * step [a, b] that the backward step enters from t (direction: the backward one, ±1).
 */
function forwardStepBound(start: number, steps: Float64Array, direction: number): (t: number) => number {
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
    return FORWARD_STEP_FACTOR * (b[hi] - b[lo]);
  };
}

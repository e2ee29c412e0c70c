/**
 * The backward sweep shared by the adjoint methods: from the last save point back to t0,
 * adding each save point's cotangent to λ (a jump; the integrator restarts there, so no
 * FSAL stage is reused across it) and integrating to the previous save point. With
 * checkpointing (or without a stored dense forward output) each interval's forward piece
 * is re-solved first. Backward steps stop exactly at the forward solution's step boundaries.
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
  const makeIntegrator = (from: number, to: number, tstops: Float64Array): ODEIntegrator => {
    const problem = new ODEProblem(sweep.rhs, state, [from, to], new Float64Array(0), {
      kind: "inplace",
      jac: sweep.jac,
    });
    return init(problem, sweep.solver, { reltol: ctx.reltol, abstol: ctx.abstol, tstops });
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
      integ = makeIntegrator(from, to, piece.steps);
    } else {
      // One integrator over the whole backward span (so every forward boundary is a valid
      // tstop), restarted on each interval.
      integ ??= makeIntegrator(saveat[saveat.length - 1], ctx.t0, ctx.forwardSteps);
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

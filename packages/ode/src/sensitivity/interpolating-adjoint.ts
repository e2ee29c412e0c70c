/**
 * InterpolatingAdjoint: integrates y = [λ; μ] backward, dλ/dt = −(∂f/∂u)ᵀλ and
 * dμ/dt = −(∂f/∂p)ᵀλ with μ(t_last) = 0, so μ(t0) = ∫ λᵀ ∂f/∂p dt = p̄, reading u(t) from the
 * forward dense output (never re-integrating u backward, which is unstable on dissipative
 * problems). With checkpointing, each interval between save points is re-solved forward
 * from its stored state just before it is needed (Serban & Hindmarsh, CVODES, 2005, §4).
 * The parameter integral is part of the ODE state, so it is error-controlled like λ.
 */
import { init, type ODEIntegrator } from "../integrator.js";
import { ODEProblem } from "../problem.js";
import {
  type AdjointContext,
  addStats,
  type BackwardResult,
  type DenseForward,
  intervalEnd,
  stateBefore,
} from "./adjoint-context.js";
import { adjointJacobian } from "./adjoint-jacobian.js";

export function interpolatingAdjoint(ctx: AdjointContext, checkpointing: boolean): BackwardResult {
  const { rhs, p, saveat, cotangent } = ctx;
  const { n, np } = rhs;
  const y = new Float64Array(n + np);
  const u = new Float64Array(n);
  const negLambda = new Float64Array(n);
  const uBar = new Float64Array(n);
  const pBar = new Float64Array(np);
  let forward: DenseForward | undefined = ctx.dense;
  const augmented = (dy: Float64Array, yy: Float64Array, _q: Float64Array, t: number): void => {
    (forward as DenseForward).at(t, u);
    for (let i = 0; i < n; i++) negLambda[i] = -yy[i];
    rhs.vjpUP(uBar, pBar, negLambda, u, p, t);
    dy.set(uBar);
    dy.set(pBar, n);
  };
  let integ: ODEIntegrator | undefined;
  for (let k = saveat.length - 1; k >= 0; k--) {
    for (let i = 0; i < n; i++) y[i] += cotangent[k * n + i];
    const from = saveat[k];
    const to = intervalEnd(ctx, k);
    if (from === to) continue;
    if (checkpointing || forward === undefined) forward = ctx.resolve(to, stateBefore(ctx, k), from);
    if (integ === undefined) {
      // A stiff backward solver gets the exact adjoint Jacobian from n VJPs (no finite differences).
      const jac = ctx.solver.stiff ? adjointJacobian(rhs, p, () => forward as DenseForward, true) : undefined;
      const problem = new ODEProblem(augmented, y, [from, to], new Float64Array(0), { kind: "inplace", jac });
      integ = init(problem, ctx.solver, { reltol: ctx.reltol, abstol: ctx.abstol });
    } else {
      integ.reinit(y, from, to);
    }
    while (integ.step()) {
      // stepping; the integrator sets retcode at the end or on failure
    }
    if (integ.retcode !== "Success") {
      addStats(ctx.stats, integ.stats);
      return { retcode: integ.retcode, message: `InterpolatingAdjoint backward pass: ${integ.message}` };
    }
    y.set(integ.u);
  }
  if (integ !== undefined) addStats(ctx.stats, integ.stats);
  for (let i = 0; i < n; i++) ctx.u0Bar[i] += y[i];
  for (let j = 0; j < np; j++) ctx.pBar[j] += y[n + j];
  return { retcode: "Success", message: "" };
}

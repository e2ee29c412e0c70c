/**
 * BacksolveAdjoint: integrates z = [u; λ; μ] backward from the last save point, re-creating
 * u(t) by solving the ODE in reverse instead of storing it (Chen et al., "Neural ODEs",
 * NeurIPS 2018, Alg. 1 — what torchdiffeq's odeint_adjoint does). O(1) memory, but on a
 * dissipative problem the reverse integration amplifies errors like e^(|λ_min|·t): on the
 * seed model (eigenvalues down to −57) by ~10²⁴ per unit time.
 *
 * It therefore checks itself: at every save point (and at t0) the reconstructed state is
 * compared with the stored forward state, and when they differ by more than checkTolerance
 * an AdjointInstabilityError names InterpolatingAdjoint as the fix. When they agree the state
 * is reset to the forward value (checkpointing at the save points).
 */
import { allocF64, freeArray } from "@udekit/kernels";
import { init, type ODEIntegrator } from "../integrator.js";
import { ODEProblem } from "../problem.js";
import {
  type AdjointContext,
  addStats,
  type BackwardResult,
  intervalEnd,
  stateBefore,
} from "./adjoint-context.js";
import { AdjointInstabilityError } from "./errors.js";

function relativeDifference(a: Float64Array, b: Float64Array, n: number, floor: number): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    d += (a[i] - b[i]) ** 2;
    s += b[i] ** 2;
  }
  const r = Math.sqrt(d) / Math.max(Math.sqrt(s), floor);
  return Number.isNaN(r) ? Number.POSITIVE_INFINITY : r;
}

export function backsolveAdjoint(ctx: AdjointContext, checkTolerance: number): BackwardResult {
  const { rhs, p, saveat, cotangent, saved } = ctx;
  const { n, np } = rhs;
  const z = new Float64Array(2 * n + np);
  const u = new Float64Array(n);
  const du = new Float64Array(n);
  const negLambda = new Float64Array(n);
  const uBar = new Float64Array(n);
  const pBar = allocF64(np);
  try {
    const augmented = (dz: Float64Array, zz: Float64Array, _q: Float64Array, t: number): void => {
      for (let i = 0; i < n; i++) {
        u[i] = zz[i];
        negLambda[i] = -zz[n + i];
      }
      rhs.f(du, u, p, t);
      rhs.vjpUP(uBar, pBar, negLambda, u, p, t);
      dz.set(du);
      dz.set(uBar, n);
      dz.set(pBar, 2 * n);
    };
    const last = saveat.length - 1;
    z.set(saved.subarray(last * n, (last + 1) * n));
    let integ: ODEIntegrator | undefined;
    for (let k = last; k >= 0; k--) {
      for (let i = 0; i < n; i++) z[n + i] += cotangent[k * n + i];
      const from = saveat[k];
      const to = intervalEnd(ctx, k);
      if (from === to) continue;
      if (integ === undefined) {
        const problem = new ODEProblem(augmented, z, [from, to], new Float64Array(0), { kind: "inplace" });
        integ = init(problem, ctx.solver, { reltol: ctx.reltol, abstol: ctx.abstol });
      } else {
        integ.reinit(z, from, to);
      }
      while (integ.step()) {
        // stepping; the integrator sets retcode at the end or on failure
      }
      addStats(ctx.stats, integ.stats);
      const expected = stateBefore(ctx, k);
      const diff =
        integ.retcode === "Success"
          ? relativeDifference(integ.u, expected, n, ctx.abstol)
          : Number.POSITIVE_INFINITY;
      if (!(diff <= checkTolerance)) {
        const what =
          integ.retcode === "Success"
            ? `reproduced the forward state at t = ${to} only to a relative error of ${diff.toExponential(2)} (tolerance ${checkTolerance.toExponential(2)})`
            : `failed (${integ.retcode}: ${integ.message})`;
        throw new AdjointInstabilityError(
          `BacksolveAdjoint: integrating the state backward from t = ${from} ${what}, so its gradient would be wrong. ` +
            "The problem is unstable in reverse time (dissipative or stiff: errors grow like e^(|λ_min|·Δt)). " +
            "Use InterpolatingAdjoint() (the default), which reads u(t) from the forward solution instead, or QuadratureAdjoint().",
        );
      }
      z.set(integ.u);
      z.set(expected);
    }
    for (let i = 0; i < n; i++) ctx.u0Bar[i] += z[n + i];
    for (let j = 0; j < np; j++) ctx.pBar[j] += z[2 * n + j];
    return { retcode: "Success", message: "" };
  } finally {
    freeArray(pBar);
  }
}

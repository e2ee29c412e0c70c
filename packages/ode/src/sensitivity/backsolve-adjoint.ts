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
import { usesJacobian } from "../stepper.js";
import { type AdjointContext, type BackwardResult, commitGradients, stateBefore } from "./adjoint-context.js";
import { sweepBackward } from "./backward-driver.js";
import { AdjointInstabilityError, SensitivityOptionError } from "./errors.js";

const METHOD = "BacksolveAdjoint";

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

function unstable(from: number, what: string): AdjointInstabilityError {
  return new AdjointInstabilityError(
    `${METHOD}: integrating the state backward from t = ${from} ${what}, so its gradient would be wrong. ` +
      "The problem is unstable in reverse time (dissipative or stiff: errors grow like e^(|λ_min|·Δt)). " +
      "Use InterpolatingAdjoint() or QuadratureAdjoint(), which read u(t) from the forward solution instead, or DiscreteAdjoint().",
  );
}

export function backsolveAdjoint(ctx: AdjointContext, checkTolerance: number): BackwardResult {
  const { rhs, p, saveat, saved } = ctx;
  const { n, np } = rhs;
  if (usesJacobian(ctx.solver)) {
    throw new SensitivityOptionError(
      `solveOde: BacksolveAdjoint re-integrates u backward in time, which is unstable on stiff problems; ${ctx.solver.name} is a stiff solver. ` +
        "Use DiscreteAdjoint() (the default after a stiff solve) or InterpolatingAdjoint() with stiff problems.",
    );
  }
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
    const result = sweepBackward(ctx, false, {
      state: z,
      lambdaOffset: n,
      rhs: augmented,
      solver: ctx.solver,
      // At each save point (and t0) the reconstructed state must reproduce the stored forward
      // state; when it does, it is reset to it (checkpointing at the save points).
      afterInterval: (k, state) => {
        const expected = stateBefore(ctx, k);
        const diff = relativeDifference(state, expected, n, ctx.stepping.abstol);
        if (!(diff <= checkTolerance)) {
          throw unstable(
            saveat[k],
            `reproduced the forward state only to a relative error of ${diff.toExponential(2)} (tolerance ${checkTolerance.toExponential(2)})`,
          );
        }
        state.set(expected);
      },
      method: METHOD,
    });
    if (result.retcode !== "Success")
      throw unstable(result.t ?? Number.NaN, `failed (${result.retcode}: ${result.message})`);
    return commitGradients(ctx, z.subarray(n, 2 * n), z.subarray(2 * n), METHOD);
  } finally {
    freeArray(pBar);
  }
}

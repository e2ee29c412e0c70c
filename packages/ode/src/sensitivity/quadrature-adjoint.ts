/**
 * QuadratureAdjoint: integrates λ alone backward (n components, error-controlled), reading
 * u(t) from the forward dense output, and after each accepted backward step adds that
 * step's share of p̄ = ∫ λᵀ ∂f/∂p dt by an m-point Gauss–Legendre rule, with λ from the
 * step's own dense output. Since the VJP is linear in λ, each node costs one accumulating
 * parameter VJP with cotangent w_q·h·λ(t_q): p̄ is accumulated in place, nothing is allocated per step.
 * (The parameter part is not error-controlled; the rule is exact to degree 2m − 1 in each step.)
 */

import { allocF64, freeArray } from "@udekit/kernels";
import type { AdjointContext, BackwardResult, DenseForward } from "./adjoint-context.js";
import { adjointJacobian } from "./adjoint-jacobian.js";
import { sweepBackward } from "./backward-intervals.js";
import { gaussLegendre } from "./gauss-legendre.js";

export function quadratureAdjoint(ctx: AdjointContext, points: number): BackwardResult {
  const { rhs, p } = ctx;
  const { n } = rhs;
  const { nodes, weights } = gaussLegendre(points);
  const lambda = new Float64Array(n);
  const u = new Float64Array(n);
  const negLambda = new Float64Array(n);
  const lambdaQ = new Float64Array(n);
  const uQ = new Float64Array(n);
  // p̄'s share of this pass, added to ctx.pBar only if the pass succeeds.
  const pAcc = allocF64(rhs.np);
  try {
    let forward = ctx.dense as DenseForward;
    const adjoint = (dl: Float64Array, l: Float64Array, _q: Float64Array, t: number): void => {
      forward.at(t, u);
      for (let i = 0; i < n; i++) negLambda[i] = -l[i];
      rhs.vjpU(dl, negLambda, u, p, t);
    };
    const result = sweepBackward(ctx, false, {
      state: lambda,
      rhs: adjoint,
      // A stiff backward solver gets the exact adjoint Jacobian from n VJPs (no finite differences).
      jac: ctx.solver.stiff ? adjointJacobian(rhs, p, () => forward, false) : undefined,
      solver: ctx.solver,
      setForward: (f) => {
        forward = f;
      },
      afterStep: (integ) => {
        const a = integ.tPrev;
        const h = integ.t - a;
        // Oriented like p̄ = ∫ from t0 to t_last: a backward step of h covers −h of it.
        const length = -h;
        for (let q = 0; q < nodes.length; q++) {
          const tq = a + nodes[q] * h;
          integ.interpolate(tq, lambdaQ);
          const w = weights[q] * length;
          for (let i = 0; i < n; i++) lambdaQ[i] *= w;
          forward.at(tq, uQ);
          rhs.vjpPAccumulate(pAcc, lambdaQ, uQ, p, tq);
        }
      },
      method: "QuadratureAdjoint",
    });
    rhs.flushP(pAcc);
    if (result.retcode !== "Success") return result;
    for (let i = 0; i < n; i++) ctx.u0Bar[i] += lambda[i];
    for (let j = 0; j < pAcc.length; j++) ctx.pBar[j] += pAcc[j];
    return { retcode: "Success", message: "" };
  } finally {
    // Nothing deferred may outlive pAcc (a later flush would write into freed memory).
    rhs.flushP(pAcc);
    freeArray(pAcc);
  }
}

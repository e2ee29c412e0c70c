/**
 * QuadratureAdjoint: integrates λ alone backward (n components, error-controlled), reading
 * u(t) from the forward dense output, and after each accepted backward step adds that
 * step's share of p̄ = ∫ λᵀ ∂f/∂p dt by an m-point Gauss–Legendre rule, with λ from the
 * step's own dense output. Since the VJP is linear in λ, each node costs one accumulating
 * parameter VJP with cotangent w_q·h·λ(t_q): p̄ is accumulated in place, nothing is allocated per step.
 * (The parameter part is not error-controlled; the rule is exact to degree 2m − 1 in each step.)
 *
 * This is also InterpolatingAdjoint's route with a Rosenbrock or SDIRK method: the stiff solver then
 * integrates the n-component λ system with its exact Jacobian and time derivative
 * (adjoint-system.ts) and p never enters the stiff state (no (n + np)² Jacobian, no
 * (n + np)-sized LU).
 */

import { allocF64, freeArray } from "@udekit/kernels";
import { usesJacobian } from "../stepper.js";
import {
  type AdjointContext,
  type BackwardResult,
  commitGradients,
  type DenseForward,
} from "./adjoint-context.js";
import { AdjointSystem } from "./adjoint-system.js";
import { sweepBackward } from "./backward-driver.js";
import { gaussLegendre } from "./gauss-legendre.js";

export function quadratureAdjoint(
  ctx: AdjointContext,
  points: number,
  checkpointing: boolean,
  method: string,
): BackwardResult {
  const { rhs, p } = ctx;
  const { n } = rhs;
  const { nodes, weights } = gaussLegendre(points);
  const lambda = new Float64Array(n);
  const lambdaQ = new Float64Array(n);
  const uQ = new Float64Array(n);
  const system = new AdjointSystem(
    rhs,
    p,
    ctx.dense as DenseForward,
    -Math.sign(ctx.saveat[ctx.saveat.length - 1] - ctx.t0),
  );
  // A method that uses a Jacobian gets the adjoint system's exact one and its time derivative
  // (not finite differences of a system that interpolates u) and steps to the forward step
  // boundaries, where the interpolated u has its kinks.
  const stiff = usesJacobian(ctx.solver);
  // p̄'s share of this pass, added to ctx.pBar only if the pass succeeds.
  const pAcc = allocF64(rhs.np);
  try {
    const result = sweepBackward(ctx, checkpointing, {
      state: lambda,
      rhs: system.f,
      jac: stiff ? system.jac : undefined,
      tgrad: stiff ? system.tgrad : undefined,
      stopAtForwardSteps: stiff,
      solver: ctx.solver,
      setForward: (f, pieceLength) => system.use(f, pieceLength),
      setStep: (f, i, h, origin) => system.useStep(f, i, h, origin),
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
          system.uAt(tq, uQ);
          rhs.vjpPAccumulate(pAcc, lambdaQ, uQ, p, system.timeAt(tq));
        }
      },
      method,
    });
    rhs.flushP(pAcc);
    if (result.retcode !== "Success") return result;
    return commitGradients(ctx, lambda, pAcc, method);
  } finally {
    // Nothing deferred may outlive pAcc (a later flush would write into freed memory).
    rhs.flushP(pAcc);
    freeArray(pAcc);
  }
}

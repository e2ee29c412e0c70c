/**
 * InterpolatingAdjoint: integrates the augmented adjoint system y = [λ; μ] backward,
 * dλ/dt = −(∂f/∂u)ᵀλ and dμ/dt = −(∂f/∂p)ᵀλ with μ(t_last) = 0, so that
 * μ(t0) = ∫ λᵀ ∂f/∂p dt = p̄, reading u(t) from the forward dense output (never
 * re-integrating u backward, which is unstable on dissipative problems). With
 * checkpointing, each interval between save points is re-solved forward from its stored
 * state just before it is needed (Serban & Hindmarsh, CVODES, 2005, §4).
 *
 * With an explicit Runge–Kutta method the μ part is not carried as ODE state: since dμ/dt
 * does not depend on μ, the method's own update μ ← μ + h·Σ bᵢ·kᵢ^μ only needs the
 * parameter VJPs at the step's stages (λᵢ, tᵢ) — the same numbers as integrating [λ; μ]
 * with that method, without np-long stage vectors (np = 10⁴ for the seed model). Each stage's
 * parameter term is added, weighted by h·bᵢ, in the same pass as its state VJP (one pass
 * through f's program instead of two); a rejected attempt's terms are taken out again by
 * adding their negatives (exact up to rounding of the order of the terms themselves). The
 * first stage, evaluated before h is known (FSAL), adds its term when the step is accepted.
 * μ is then not part of the error norm (λ is). With a stiff (Rosenbrock) method, whose
 * stages are not plain evaluations, the full augmented system is integrated.
 */
import { allocF64, freeArray } from "@udekit/kernels";
import { InvalidProblemError } from "../errors.js";
import type { OdeSolver } from "../stepper.js";
import type { ButcherTableau } from "../tableau/butcher-tableau.js";
import type { AdjointContext, BackwardResult, DenseForward } from "./adjoint-context.js";
import { adjointJacobian } from "./adjoint-jacobian.js";
import { sweepBackward } from "./backward-intervals.js";
import { withStepperHooks } from "./stepper-hooks.js";

export function interpolatingAdjoint(ctx: AdjointContext, checkpointing: boolean): BackwardResult {
  const tableau = (ctx.solver as OdeSolver & { tableau?: ButcherTableau }).tableau;
  return tableau === undefined || ctx.solver.stiff
    ? augmentedAdjoint(ctx, checkpointing)
    : stageAdjoint(ctx, checkpointing, tableau);
}

function augmentedAdjoint(ctx: AdjointContext, checkpointing: boolean): BackwardResult {
  const { rhs, p } = ctx;
  const { n, np } = rhs;
  const y = new Float64Array(n + np);
  const u = new Float64Array(n);
  const negLambda = new Float64Array(n);
  const uBar = new Float64Array(n);
  const pBar = allocF64(np);
  try {
    let forward = ctx.dense as DenseForward;
    const augmented = (dy: Float64Array, yy: Float64Array, _q: Float64Array, t: number): void => {
      forward.at(t, u);
      for (let i = 0; i < n; i++) negLambda[i] = -yy[i];
      rhs.vjpUP(uBar, pBar, negLambda, u, p, t);
      dy.set(uBar);
      dy.set(pBar, n);
    };
    const result = sweepBackward(ctx, checkpointing, {
      state: y,
      rhs: augmented,
      // A stiff backward solver gets the exact adjoint Jacobian from n VJPs (no finite differences).
      jac: ctx.solver.stiff ? adjointJacobian(rhs, p, () => forward, true) : undefined,
      solver: ctx.solver,
      setForward: (f) => {
        forward = f;
      },
      method: "InterpolatingAdjoint",
    });
    if (result.retcode !== "Success") return result;
    for (let i = 0; i < n; i++) ctx.u0Bar[i] += y[i];
    for (let j = 0; j < np; j++) ctx.pBar[j] += y[n + j];
    return result;
  } finally {
    freeArray(pBar);
  }
}

function stageAdjoint(ctx: AdjointContext, checkpointing: boolean, tableau: ButcherTableau): BackwardResult {
  const { rhs, p } = ctx;
  const { n, np } = rhs;
  const s = tableau.stages;
  const lambda = new Float64Array(n);
  const pAcc = allocF64(np);
  // Buffers the kernels read or write every stage live in their memory (no copy per call).
  const work = allocF64((2 + 2 * s) * n);
  try {
    const negLambda = work.subarray(0, n);
    const weighted = work.subarray(n, 2 * n);
    // Stage inputs of the step being attempted: λᵢ, u(tᵢ), tᵢ.
    const stageLambda = Array.from({ length: s }, (_, i) => work.subarray((2 + i) * n, (3 + i) * n));
    const stageU = Array.from({ length: s }, (_, i) => work.subarray((2 + s + i) * n, (3 + s + i) * n));
    const stageT = new Float64Array(s);
    let recording = false;
    let stage = 0;
    let stepH = 0;
    /** True from an attempt's start until it is accepted: its stage terms are in pAcc. */
    let attemptOpen = false;
    let forward = ctx.dense as DenseForward;
    const { b } = tableau;

    // μ ← μ + h·Σ bᵢ·(−(∂f/∂p)ᵀλᵢ), i.e. p̄ += −h·bᵢ·(∂f/∂p)ᵀλᵢ per stage: −h = |h| when the
    // forward solve runs up in time, −|h| when it runs down (p̄ = ∫ from t0 to t_last, oriented).
    // With the VJP's cotangent −λᵢ that is the weight h·bᵢ.
    const adjoint = (dl: Float64Array, l: Float64Array, _q: Float64Array, t: number): void => {
      const slot = recording && stage < s ? stage : -1;
      const u = slot >= 0 ? stageU[slot] : weighted;
      forward.at(t, u);
      for (let i = 0; i < n; i++) negLambda[i] = -l[i];
      if (slot >= 0) {
        const dst = stageLambda[slot];
        for (let i = 0; i < n; i++) dst[i] = l[i];
        stageT[slot] = t;
      }
      if (recording) stage++;
      const w = slot > 0 ? stepH * b[slot] : 0;
      if (w !== 0) rhs.vjpUAndPAccumulate(dl, pAcc, w, negLambda, u, p, t);
      else rhs.vjpU(dl, negLambda, u, p, t);
    };

    /** p̄ += w·(∂f/∂p)ᵀλᵢ for recorded stage i. */
    const addStageTerm = (i: number, w: number): void => {
      const li = stageLambda[i];
      for (let j = 0; j < n; j++) weighted[j] = w * li[j];
      rhs.vjpPAccumulate(pAcc, weighted, stageU[i], p, stageT[i]);
    };
    /** Takes a rejected attempt's stage terms (added with weight −h·bᵢ) out of p̄ again. */
    const retractAttempt = (): void => {
      for (let i = 1; i < Math.min(stage, s); i++) if (b[i] !== 0) addStageTerm(i, stepH * b[i]);
      attemptOpen = false;
    };

    const recordingSolver = withStepperHooks(ctx.solver, {
      beforeAttempt: (t, y, h) => {
        if (attemptOpen) retractAttempt();
        // Stage 1 is f(t, y) at the step start (kept from the previous step or from start()).
        const dst = stageLambda[0];
        for (let i = 0; i < n; i++) dst[i] = y[i];
        stageT[0] = t;
        forward.at(t, stageU[0]);
        stepH = h;
        stage = 1;
        recording = true;
        attemptOpen = true;
      },
      afterAttempt: () => {
        recording = false;
      },
      beforeAccept: () => {
        if (stage !== s) {
          throw new InvalidProblemError(
            `InterpolatingAdjoint: expected ${s} stage evaluations in a ${ctx.solver.name} step, saw ${stage}; this solver does not evaluate its stages one call each in order.`,
          );
        }
        if (b[0] !== 0) addStageTerm(0, -stepH * b[0]);
        attemptOpen = false;
      },
    });

    const result = sweepBackward(ctx, checkpointing, {
      state: lambda,
      rhs: adjoint,
      solver: recordingSolver,
      setForward: (f) => {
        forward = f;
      },
      method: "InterpolatingAdjoint",
    });
    if (attemptOpen) retractAttempt();
    rhs.flushP(pAcc);
    if (result.retcode !== "Success") return result;
    for (let i = 0; i < n; i++) ctx.u0Bar[i] += lambda[i];
    for (let j = 0; j < np; j++) ctx.pBar[j] += pAcc[j];
    return result;
  } finally {
    // Nothing deferred may outlive pAcc (a later flush would write into freed memory).
    rhs.flushP(pAcc);
    freeArray(pAcc);
    freeArray(work);
  }
}

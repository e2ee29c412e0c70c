/**
 * InterpolatingAdjoint: integrates λ backward, dλ/dt = −(∂f/∂u)ᵀλ, reading u(t) from the
 * forward dense output (never re-integrating u backward, which is unstable on dissipative
 * problems), and p̄ = μ(t0) = ∫ λᵀ ∂f/∂p dt. With checkpointing, each interval between save
 * points is re-solved forward from its stored state just before it is needed (Serban &
 * Hindmarsh, CVODES, 2005, §4).
 *
 * With an explicit Runge–Kutta method μ is not carried as ODE state: since dμ/dt does not
 * depend on μ, the method's own update μ ← μ + h·Σ bᵢ·kᵢ^μ only needs the parameter VJPs at
 * the step's stages (λᵢ, tᵢ) — the same numbers as integrating [λ; μ] with that method,
 * without np-long stage vectors (np = 10⁴ for the seed model). Each stage's parameter term
 * is added, weighted by h·bᵢ, in the same pass as its state VJP (one pass through f's
 * program instead of two); a rejected attempt's terms are taken out again by adding their
 * negatives (exact up to rounding of the order of the terms themselves). The first stage,
 * evaluated before h is known (FSAL), adds its term when the step is accepted. μ is then not
 * part of the error norm (λ is).
 *
 * With a Rosenbrock method, whose stages are not plain evaluations, λ is integrated by the
 * stiff method with its exact Jacobian and time derivative and p̄ by Gauss–Legendre
 * quadrature on the backward steps (quadrature-adjoint.ts).
 *
 * The stage adjoint relies on the ERK engine's stepper contract (Stepper in stepper.ts):
 * within one attempt, stages 2…s are evaluated in order, one right-hand-side call each, and
 * stage 1 is the step start's f (FSAL or start()).
 */
import { allocF64, freeArray } from "@udekit/kernels";
import { InvalidProblemError } from "../errors.js";
import type { ButcherTableau } from "../tableau/butcher-tableau.js";
import {
  type AdjointContext,
  type BackwardResult,
  commitGradients,
  type DenseForward,
} from "./adjoint-context.js";
import { AdjointSystem } from "./adjoint-system.js";
import { sweepBackward } from "./backward-driver.js";
import { quadratureAdjoint } from "./quadrature-adjoint.js";
import { withStepperHooks } from "./stepper-hooks.js";

const METHOD = "InterpolatingAdjoint";

export function interpolatingAdjoint(ctx: AdjointContext, checkpointing: boolean): BackwardResult {
  const { solver } = ctx;
  if (solver.family === "erk") return stageAdjoint(ctx, checkpointing, solver.tableau);
  return quadratureAdjoint(ctx, Math.ceil((solver.order + 1) / 2), checkpointing, METHOD);
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
    const system = new AdjointSystem(rhs, p, ctx.dense as DenseForward, 0, negLambda);
    const { b } = tableau;

    // μ ← μ + h·Σ bᵢ·(−(∂f/∂p)ᵀλᵢ), i.e. p̄ += −h·bᵢ·(∂f/∂p)ᵀλᵢ per stage: −h = |h| when the
    // forward solve runs up in time, −|h| when it runs down (p̄ = ∫ from t0 to t_last, oriented).
    // With the VJP's cotangent −λᵢ that is the weight h·bᵢ.
    const adjoint = (dl: Float64Array, l: Float64Array, _q: Float64Array, t: number): void => {
      const slot = recording && stage < s ? stage : -1;
      const u = system.load(t, l, slot >= 0 ? stageU[slot] : weighted);
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
        system.forward.at(t, stageU[0]);
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
            `${METHOD}: expected ${s} stage evaluations in a ${ctx.solver.name} step, saw ${stage}; this solver does not evaluate its stages one call each in order.`,
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
      setForward: (f, pieceLength) => system.use(f, pieceLength),
      method: METHOD,
    });
    if (attemptOpen) retractAttempt();
    rhs.flushP(pAcc);
    if (result.retcode !== "Success") return result;
    return commitGradients(ctx, lambda, pAcc, METHOD);
  } finally {
    // Nothing deferred may outlive pAcc (a later flush would write into freed memory).
    rhs.flushP(pAcc);
    freeArray(pAcc);
    freeArray(work);
  }
}

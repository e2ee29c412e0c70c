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
 * With a Rosenbrock or SDIRK method, whose stages are not plain evaluations, λ is integrated by
 * the stiff method with its exact Jacobian and time derivative and p̄ by Gauss–Legendre
 * quadrature on the backward steps (quadrature-adjoint.ts).
 *
 * The stage adjoint relies on the ERK engine's stepper contract (Stepper in stepper.ts):
 * within one attempt, stages 2…s are evaluated in order, one right-hand-side call each, and
 * stage 1 is the step start's f (FSAL or start()).
 */
import { allocF64, freeArray } from "@udekit/kernels";
import { InvalidProblemError } from "../errors.js";
import { unknownFamily } from "../stepper.js";
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
  switch (solver.family) {
    case "erk":
      return stageAdjoint(ctx, checkpointing, solver.tableau);
    // Stages that are not plain evaluations (Rosenbrock, SDIRK's Newton iterates), or a composite's.
    case "rosenbrock":
    case "sdirk":
    case "composite":
      return quadratureAdjoint(ctx, Math.ceil((solver.order + 1) / 2), checkpointing, METHOD);
    default:
      return unknownFamily(solver, METHOD);
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
    const system = new AdjointSystem(rhs, p, ctx.dense as DenseForward, 0, negLambda);
    const st: StageState = {
      n,
      s,
      b: tableau.b,
      rhs,
      p,
      pAcc,
      system,
      negLambda,
      weighted,
      stageLambda,
      stageU,
      stageT,
      solverName: ctx.solver.name,
      recording: false,
      stage: 0,
      stepH: Number.NaN,
      attemptOpen: false,
    };
    // μ ← μ + h·Σ bᵢ·(−(∂f/∂p)ᵀλᵢ), i.e. p̄ += −h·bᵢ·(∂f/∂p)ᵀλᵢ per stage: −h = |h| when the
    // forward solve runs up in time, −|h| when it runs down (p̄ = ∫ from t0 to t_last, oriented).
    // With the VJP's cotangent −λᵢ that is the weight h·bᵢ.
    const adjoint = (dl: Float64Array, l: Float64Array, _q: Float64Array, t: number): void =>
      stageRhs(st, dl, l, t);
    const recordingSolver = withStepperHooks(ctx.solver, {
      beforeAttempt: (t, y, h) => beginAttempt(st, t, y, h),
      afterAttempt: () => {
        st.recording = false;
      },
      beforeAccept: () => acceptAttempt(st),
    });

    const result = sweepBackward(ctx, checkpointing, {
      state: lambda,
      rhs: adjoint,
      solver: recordingSolver,
      setForward: (f, pieceLength) => system.use(f, pieceLength),
      method: METHOD,
    });
    if (st.attemptOpen) retractAttempt(st);
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

/**
 * What the stage adjoint's hooks share: its buffers and the attempt being recorded. Its steps
 * are module functions over this plain object, not closures made per gradient, so their
 * optimised code survives full garbage collections (see ../shape-anchor.ts).
 */
interface StageState {
  n: number;
  s: number;
  b: ArrayLike<number>;
  rhs: AdjointContext["rhs"];
  p: Float64Array;
  pAcc: Float64Array;
  system: AdjointSystem;
  negLambda: Float64Array;
  weighted: Float64Array;
  /** Stage inputs of the step being attempted: λᵢ, u(tᵢ), tᵢ. */
  stageLambda: Float64Array[];
  stageU: Float64Array[];
  stageT: Float64Array;
  solverName: string;
  recording: boolean;
  stage: number;
  stepH: number;
  /** True from an attempt's start until it is accepted: its stage terms are in pAcc. */
  attemptOpen: boolean;
}

/** The backward right-hand side, recording the stage inputs of the attempt in progress. */
function stageRhs(st: StageState, dl: Float64Array, l: Float64Array, t: number): void {
  const { n, s, rhs, p } = st;
  const slot = st.recording && st.stage < s ? st.stage : -1;
  const u = st.system.load(t, l, slot >= 0 ? st.stageU[slot] : st.weighted);
  if (slot >= 0) {
    const dst = st.stageLambda[slot];
    for (let i = 0; i < n; i++) dst[i] = l[i];
    st.stageT[slot] = t;
  }
  if (st.recording) st.stage++;
  const w = slot > 0 ? st.stepH * st.b[slot] : 0;
  if (w !== 0) rhs.vjpUAndPAccumulate(dl, st.pAcc, w, st.negLambda, u, p, t);
  else rhs.vjpU(dl, st.negLambda, u, p, t);
}

/** p̄ += w·(∂f/∂p)ᵀλᵢ for recorded stage i. */
function addStageTerm(st: StageState, i: number, w: number): void {
  const { n, weighted } = st;
  const li = st.stageLambda[i];
  for (let j = 0; j < n; j++) weighted[j] = w * li[j];
  st.rhs.vjpPAccumulate(st.pAcc, weighted, st.stageU[i], st.p, st.stageT[i]);
}

/** Takes a rejected attempt's stage terms (added with weight −h·bᵢ) out of p̄ again. */
function retractAttempt(st: StageState): void {
  const { b } = st;
  for (let i = 1; i < Math.min(st.stage, st.s); i++) if (b[i] !== 0) addStageTerm(st, i, st.stepH * b[i]);
  st.attemptOpen = false;
}

function beginAttempt(st: StageState, t: number, y: Float64Array, h: number): void {
  if (st.attemptOpen) retractAttempt(st);
  // Stage 1 is f(t, y) at the step start (kept from the previous step or from start()).
  const dst = st.stageLambda[0];
  for (let i = 0; i < st.n; i++) dst[i] = y[i];
  st.stageT[0] = t;
  st.system.forward.at(t, st.stageU[0]);
  st.stepH = h;
  st.stage = 1;
  st.recording = true;
  st.attemptOpen = true;
}

function acceptAttempt(st: StageState): void {
  if (st.stage !== st.s) {
    throw new InvalidProblemError(
      `${METHOD}: expected ${st.s} stage evaluations in a ${st.solverName} step, saw ${st.stage}; this solver does not evaluate its stages one call each in order.`,
    );
  }
  if (st.b[0] !== 0) addStageTerm(st, 0, -st.stepH * st.b[0]);
  st.attemptOpen = false;
}

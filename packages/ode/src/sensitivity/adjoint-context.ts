/**
 * What every backward pass gets: the right-hand side and its VJPs, the forward solution
 * (dense output, or states at the save points to restart from), the save points and the
 * cotangents at them, and the accumulators for ū0 and p̄.
 *
 * The continuous adjoint (e.g. Cao, Li, Petzold & Serban, SIAM J. Sci. Comput. 24 (2003),
 * eqs. 2.5–2.7; Chen et al., "Neural ODEs", NeurIPS 2018, Alg. 1): λ(t) solves
 * dλ/dt = −(∂f/∂u)ᵀλ backward from the last save point, jumping by the cotangent gₖ at each
 * save point tₖ; then ū0 = λ(t0) and p̄ = ∫ λᵀ ∂f/∂p dt over [t0, t_last].
 */
import { allFinite, axpy } from "@udekit/kernels";
import type { SolveOptions } from "../options.js";
import type { ReturnCode } from "../retcode.js";
import type { SolverStats } from "../solution.js";
import type { OdeSolver } from "../stepper.js";
import type { DifferentiableRhs } from "./differentiable-rhs.js";

/** The forward state at any time of an interval (dense output). */
export interface DenseForward {
  at(t: number, out: Float64Array): Float64Array;
  /**
   * A dense output stored per step (ODESolution) has these too: the step boundaries (in the
   * forward direction) and u at θ of stored step i, by which the stiff backward passes read u in
   * time local to a step (see backward-driver.ts).
   */
  readonly stepTimes?: Float64Array;
  atStep?(i: number, theta: number, out: Float64Array): Float64Array;
}

/** A re-solved piece of the forward solution: its dense output and step boundaries. */
export interface ForwardPiece {
  dense: DenseForward;
  steps: Float64Array;
  /** Hands the piece's interpolation buffers back to the arena (it is not read afterwards). */
  release?(): void;
}

/**
 * A dense output read only inside [a, b]: a stiff solver's finite-difference time
 * derivative may evaluate the adjoint system a hair outside the interval, where the
 * forward state is continued by its value at the end.
 */
export function clampedForward(dense: DenseForward, a: number, b: number): DenseForward {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const { stepTimes } = dense;
  return {
    at: (t, out) => dense.at(Math.min(Math.max(t, lo), hi), out),
    // Read by step and θ: the backward pass keeps inside the steps it integrates over.
    stepTimes,
    atStep: dense.atStep?.bind(dense),
  };
}

export interface AdjointContext {
  readonly rhs: DifferentiableRhs;
  readonly p: Float64Array;
  readonly u0: Float64Array;
  readonly t0: number;
  /** Save points, in the direction of integration from t0. */
  readonly saveat: Float64Array;
  /** Cotangents at the save points, row k for saveat[k]. */
  readonly cotangent: Float64Array;
  /** Forward states at the save points, row k for saveat[k]. */
  readonly saved: Float64Array;
  /** Dense forward output over the whole span (absent when the forward solve kept none). */
  readonly dense: DenseForward | undefined;
  /**
   * Ends of the forward solve's accepted steps: they bound the backward steps (see
   * backward-intervals.ts), so that u(t) is resolved as finely as the forward solve resolved it.
   */
  readonly forwardSteps: Float64Array;
  /** Re-solves the forward problem from (tA, uA) to tB with dense output (checkpointing). */
  resolve(tA: number, uA: Float64Array, tB: number): ForwardPiece;
  readonly solver: OdeSolver;
  /** Step options of every backward integration: the sensealg's, else the forward solve's. */
  readonly stepping: Readonly<
    Pick<SolveOptions, "dt" | "adaptive" | "dtmin" | "dtmax" | "maxiters"> & {
      reltol: number;
      abstol: number;
    }
  >;
  /** Accumulators: ū0 += …, p̄ += … (only by commitGradients, only when the pass succeeded). */
  readonly u0Bar: Float64Array;
  readonly pBar: Float64Array;
  /** Backward-pass step statistics, summed over intervals. */
  readonly stats: SolverStats;
}

/** The outcome of a backward pass; a failure leaves the accumulators untouched. */
export interface BackwardResult {
  retcode: ReturnCode;
  message: string;
  /** Where a failed pass stopped (forward time); undefined on success. */
  t?: number;
}

export const SUCCESS: BackwardResult = { retcode: "Success", message: "" };

/**
 * The one place a backward pass hands its result over: ū0 += λ(t0), p̄ += pAcc, but only
 * when both are finite; a non-finite λ or p̄ is a failed pass ("Unstable"), never a
 * gradient.
 */
export function commitGradients(
  ctx: AdjointContext,
  lambda: Float64Array,
  pAcc: Float64Array,
  method: string,
): BackwardResult {
  if (!allFinite(lambda.length, lambda) || !allFinite(pAcc.length, pAcc)) {
    return {
      retcode: "Unstable",
      message: `${method}: the backward pass produced a non-finite ${allFinite(lambda.length, lambda) ? "p̄" : "λ(t0)"}`,
      t: ctx.t0,
    };
  }
  // The kernel, not a loop: 0.5 ns per entry against 1.6 (n = 10⁵); 1·x adds exactly x.
  axpy(ctx.rhs.n, 1, lambda, ctx.u0Bar);
  axpy(ctx.pBar.length, 1, pAcc, ctx.pBar);
  return SUCCESS;
}

export function addStats(into: SolverStats, from: SolverStats): void {
  into.nf += from.nf;
  into.njac += from.njac;
  into.nlu += from.nlu;
  into.naccept += from.naccept;
  into.nreject += from.nreject;
}

/** The start of the backward interval that ends (going back) at save point k. */
export function intervalEnd(ctx: AdjointContext, k: number): number {
  return k > 0 ? ctx.saveat[k - 1] : ctx.t0;
}

/** The forward state at the start (in forward time) of save point k's interval. */
export function stateBefore(ctx: AdjointContext, k: number): Float64Array {
  const n = ctx.rhs.n;
  return k > 0 ? ctx.saved.subarray((k - 1) * n, k * n) : ctx.u0;
}

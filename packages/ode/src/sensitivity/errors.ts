/** Errors of the differentiable solve. */
import { OdeError } from "../errors.js";
import type { ReturnCode } from "../retcode.js";

/**
 * BacksolveAdjoint found that re-integrating the state backward does not reproduce the
 * forward solution, so the gradient it would return is wrong.
 */
export class AdjointInstabilityError extends OdeError {
  override name = "AdjointInstabilityError";
}

/** Arguments of solveOde that cannot work (the message says which and how to fix them). */
export class SensitivityOptionError extends OdeError {
  override name = "SensitivityOptionError";
}

/**
 * A backward (or forward-sensitivity) pass did not finish, or produced a non-finite λ or p̄:
 * there is no gradient to return. Thrown by solveOde's VJP instead of a NaN or a wrong
 * finite gradient; the message names the retcode, where the pass stopped and what to try.
 */
export class AdjointFailedError extends OdeError {
  override name = "AdjointFailedError";
  constructor(
    /** The sensitivity method whose pass failed. */
    readonly method: string,
    /** The failed pass's retcode. */
    readonly retcode: ReturnCode,
    /** The (forward) time the pass reached, when known. */
    readonly t: number | undefined,
    detail: string,
  ) {
    super(
      `solveOde: the ${method} gradient pass failed with retcode ${retcode}${t === undefined ? "" : ` at t = ${t}`}: ${detail} ` +
        "Try: a tighter forward tolerance (reltol/abstol), a larger maxiters for the backward pass " +
        `(${method}({ maxiters })), a stiff solver (Rodas5P) if the problem is stiff, or another sensealg (DiscreteAdjoint() for explicit solvers, ForwardSensitivity() for few parameters).`,
    );
  }
}

/**
 * The gradient audit (sensealg option `verify`) found gᵀv and the forward-mode directional
 * derivative along v disagreeing beyond what the tolerances explain: the gradient is wrong.
 */
export class GradientMismatchError extends OdeError {
  override name = "GradientMismatchError";
  constructor(
    readonly method: string,
    /** gᵀv from the sensitivity method. */
    readonly adjoint: number,
    /** The forward-mode directional derivative (NaN when its solve failed). */
    readonly directional: number,
    /** |adjoint − directional| / max(|adjoint|, |directional|). */
    readonly relativeError: number,
    readonly threshold: number,
    /** Why the audit's tangent solve failed, when it did (the gradient could not be checked). */
    readonly tangentFailure?: string,
  ) {
    super(
      tangentFailure !== undefined
        ? `solveOde: gradient audit for ${method} could not check the gradient: its forward tangent solve failed (${tangentFailure}). ` +
            "Give the solve more room (maxiters, dtmin) or a looser tolerance, or turn verify off for this problem."
        : `solveOde: gradient audit failed for ${method}: gᵀv = ${adjoint.toExponential(6)} but the forward-mode directional derivative is ${directional.toExponential(6)} ` +
            `(relative difference ${relativeError.toExponential(2)} > ${threshold.toExponential(2)}). The gradient is wrong for this problem and tolerance: ` +
            "tighten reltol/abstol, or use another sensealg (ForwardSensitivity() for few states and parameters, DiscreteAdjoint() for the exact gradient of the computed solution).",
    );
  }
}

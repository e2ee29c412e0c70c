/** Errors of the differentiable solve. */
import { OdeError } from "../errors.js";

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

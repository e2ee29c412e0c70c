/**
 * Turns a problem's right-hand side into the in-place form the engines call. In-place
 * problems pass through; tensor problems are compiled once (see compileTensorRhs).
 */
import { InvalidProblemError } from "./errors.js";
import type { InPlaceRhs, ODEProblem } from "./problem.js";

export function resolveRhs(problem: ODEProblem): InPlaceRhs {
  if (problem.f !== undefined) return problem.f;
  throw new InvalidProblemError("@udekit/ode: tensor right-hand sides are not available yet.");
}

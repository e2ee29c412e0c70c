/**
 * The validation loss: the same weighted sum of squares as the training loss (fit.ts), over the
 * held-out observations, from a forward solve only (no gradient, no tape); the loss function is
 * the training loss's own (gradients.ts lossFunction), so the two come from one model.
 */
import { tensor } from "@udekit/autodiff";
import { fitTargets } from "./fit.js";
import { lossFunction, type Problem } from "./gradients.js";
import { rhsFor } from "./model.js";
import type { MethodName } from "./options.js";

/** x ↦ validation loss at parameters x, or undefined when the problem holds nothing out. */
export function validationLoss(
  problem: Problem,
  method: MethodName,
): ((x: Float64Array) => number) | undefined {
  const targets = problem.fit ?? fitTargets(problem.obs);
  if (targets.validation === undefined) return undefined;
  const loss = lossFunction(problem, method, rhsFor(problem.params), targets.data, targets.validation);
  const shape = problem.params.tensor().shape;
  // A failed forward solve gives NaN states, so a NaN validation loss (the training loss at the
  // same point says why).
  return (x) => loss(tensor(Float64Array.from(x), shape)).item();
}

/** The differentiable ODE solve and its sensitivity algorithms. */
export type { InPlaceOdeRhs, InPlaceRhsVjp, TensorOdeRhs } from "./differentiable-rhs.js";
export {
  AdjointFailedError,
  AdjointInstabilityError,
  GradientMismatchError,
  SensitivityOptionError,
} from "./errors.js";
export { gaussLegendre, type QuadratureRule } from "./gauss-legendre.js";
export { defaultAuditThreshold, type GradientAudit } from "./gradient-audit.js";
export {
  BacksolveAdjoint,
  type BacksolveAdjointOptions,
  type BackwardOptions,
  DirectBackprop,
  DiscreteAdjoint,
  type DiscreteAdjointOptions,
  ForwardSensitivity,
  InterpolatingAdjoint,
  type InterpolatingAdjointOptions,
  QuadratureAdjoint,
  type QuadratureAdjointOptions,
  type SensitivityAlgorithm,
} from "./sensealg.js";
export { defaultSensealg, type SolveOdeInfo, type SolveOdeOptions, solveOde } from "./solve-ode.js";

/**
 * @udekit/ode — ODE problems, explicit Runge–Kutta and Rosenbrock solvers with dense output,
 * adaptive step control, and the integrator the adjoint sensitivities reuse.
 */

export { realStabilitySize, stabilityFunction } from "./auto/stability-size.js";
export { type ErkSpec, erk } from "./erk/engine.js";
export {
  InvalidOptionError,
  InvalidProblemError,
  InvalidTableauError,
  OdeError,
  SolutionAccessError,
  UnknownOptionError,
} from "./errors.js";
export { init, ODEIntegrator } from "./integrator.js";
export { hermiteInterpolant } from "./interpolation/hermite.js";
export {
  interpolationWeights,
  type PolynomialInterpolant,
  polynomialInterpolant,
} from "./interpolation/polynomial-interpolant.js";
export type { ControllerOptions, ResolvedOptions, SolveOptions } from "./options.js";
export {
  type InPlaceRhs,
  type JacobianFunction,
  ODEProblem,
  type ODEProblemOptions,
  type TensorRhs,
  type VjpFunction,
} from "./problem.js";
export { type ReturnCode, successfulRetcode } from "./retcode.js";
export { type RosenbrockSpec, rosenbrock } from "./rosenbrock/engine.js";
export {
  fromClassical,
  type RosenbrockTableau,
  rosenbrockOrder,
  rosenbrockTableau,
  toClassical,
} from "./rosenbrock/tableau.js";
export { type SdirkSpec, sdirk } from "./sdirk/engine.js";
export { type SdirkTableau, type SdirkTableauSpec, sdirkStability, sdirkTableau } from "./sdirk/tableau.js";
export * from "./sensitivity/index.js";
export { type MethodSwitch, ODESolution, type SolverStats } from "./solution.js";
export { solve } from "./solve.js";
export {
  ALL_SOLVERS,
  AutoTsit5,
  AutoVern7,
  autoSwitch,
  BS3,
  DP5,
  defaultSolver,
  Euler,
  Heun,
  Midpoint,
  RK4,
  Rodas4,
  Rodas5P,
  Rosenbrock23,
  TRBDF2,
  Tsit5,
  Vern7,
  Vern9,
} from "./solvers/index.js";
export type {
  AutoSwitchOptions,
  CompositeSolver,
  MethodSwitchRequest,
  OdeSolver,
  RhsContext,
  SdirkSolver,
  Stepper,
} from "./stepper.js";
export { type ButcherTableau, type ButcherTableauSpec, butcherTableau } from "./tableau/butcher-tableau.js";
export {
  orderConditionResiduals,
  satisfiedDenseOrder,
  satisfiedOrder,
} from "./tableau/order-conditions.js";
export { elementaryWeights, type RootedTree, treesOfOrder } from "./tableau/rooted-trees.js";

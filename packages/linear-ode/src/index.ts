/**
 * @udekit/linear-ode — the matrix exponential, its Fréchet derivative and adjoint, the action
 * exp(tA)·v, and a differentiable linear-ODE solve (see README.md).
 */
export {
  ArgumentTypeError,
  ExpmOverflowError,
  ExpmTooLargeError,
  LinearOdeError,
  NonFiniteError,
  NotSquareError,
  SingularPadeError,
  SizeMismatchError,
  TimesError,
} from "./errors.js";
export { type ExpmInfo, expmInto } from "./expm.js";
export { type ExpmFrechetInfo, expmFrechetInto } from "./expm-frechet.js";
export { expm, expmFrechet, expmOp } from "./expm-op.js";
export { type ExpmvOptions, expmvInto, expmvTimesInto } from "./expmv.js";
export { expmv, expmvOp } from "./expmv-op.js";
export { type SolveLinearOdeOptions, solveLinearOde, solveLinearOdeOp } from "./linear-ode.js";
export type { MatrixInput, VectorInput } from "./matrix-input.js";
export { Normest1Workspace, norm1, normest1 } from "./norms.js";
export { clearWorkspaces, ExpmWorkspace, workspaceFor } from "./workspace.js";

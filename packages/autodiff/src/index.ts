/**
 * @udekit/autodiff — tensors and tape-based reverse-mode automatic differentiation.
 *
 * Eager mode records ops on a tape during grad/valueAndGrad/vjp; `compile` turns a pure
 * tensor function into an allocation-free replayable program; `defineOp` adds ops (values:
 * nothing is registered on import; `registerOps` makes ops findable by name).
 */

// The per-array size guard (shared with every package through @udekit/kernels).
export { AllocationLimitError, allocationLimit, setAllocationLimit } from "@udekit/kernels";
export {
  type CompiledFunction,
  compile,
  type Pullback,
  type PullbackOptions,
  type SpecialisedFunction,
} from "./compile.js";
export {
  defineOp,
  type Op,
  type OpContext,
  type OpDefinition,
  type OuterVjp,
  READS_INPUTS,
  READS_NOTHING,
  READS_OUTPUT,
  type VjpReads,
} from "./define-op.js";
export {
  ArgumentError,
  AutodiffError,
  CompileError,
  DuplicateCopyError,
  DuplicateOpError,
  NonScalarOutputError,
  ShapeError,
  UnknownOpError,
} from "./errors.js";
export { grad, valueAndGrad, vjp } from "./grad.js";
export {
  checkVjp,
  type GradcheckOptions,
  type GradcheckResult,
  gradcheck,
  type VjpCheckResult,
} from "./gradcheck.js";
export { isMatrixLike, type MatrixLike } from "./matrix-like.js";
export {
  ALL_OPS,
  abs,
  add,
  concat,
  cos,
  diag,
  diagonal,
  div,
  exp,
  gelu,
  identity,
  log,
  matmul,
  matvec,
  mean,
  mul,
  neg,
  pow,
  relu,
  reshape,
  scale,
  sigmoid,
  sin,
  slice,
  softplus,
  sqrt,
  square,
  stack,
  sub,
  sum,
  tanh,
  transpose,
  unstack,
} from "./ops/index.js";
export { getOp, listOps, registerOps } from "./registry.js";
export { broadcastShapes, formatShape, type Shape, sizeOf } from "./shape.js";
export { tapeDepth } from "./tape.js";
export {
  fromRows,
  isTensor,
  ones,
  scalar,
  TENSOR_BRAND,
  Tensor,
  type TensorBrand,
  tensor,
  zeros,
} from "./tensor.js";
export { type MatrixConstructor, toMatrix } from "./to-matrix.js";

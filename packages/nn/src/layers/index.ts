/** Layers (Lux model: immutable descriptions; explicit parameters and state). */
export { Chain } from "./chain.js";
export { Dense, type DenseOptions } from "./dense.js";
export { dense, denseOp } from "./dense-op.js";
export {
  apply,
  checkParams,
  type Layer,
  parameterCount,
  type ShapeTree,
  type StateTree,
  setup,
} from "./layer.js";
export { Parallel } from "./parallel.js";
export { Scale, type ScaleOptions } from "./scale.js";
export { SkipConnection } from "./skip-connection.js";
export { WrappedFunction } from "./wrapped-function.js";

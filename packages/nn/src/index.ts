/**
 * @udekit/nn — Lux-like neural-network layers with explicit parameters and state, flat parameter
 * vectors with named views, a seeded platform-independent RNG, initialisers and optimisers.
 */
export {
  ACTIVATIONS,
  type Activation,
  type ActivationName,
  gelu,
  identity,
  relu,
  sigmoid,
  softplus,
  swish,
  tanh,
} from "./activations.js";
export { detLog } from "./det-log.js";
export {
  InitError,
  InputShapeError,
  ModelDefinitionError,
  NNError,
  NonFiniteGradientError,
  NotContiguousError,
  OptimiserError,
  ParamTreeError,
  RngSeedError,
} from "./errors.js";
export {
  fans,
  type GainOptions,
  glorotNormal,
  glorotUniform,
  type Initializer,
  kaimingNormal,
  kaimingUniform,
  ones,
  type Shape,
  type TruncatedNormalOptions,
  truncatedNormal,
  zeros,
} from "./init.js";
export * from "./layers/index.js";
export * from "./optimisers/index.js";
export {
  combine,
  countParams,
  type Flattened,
  flatten,
  type ParamBlock,
  type ParamEntry,
  type ParamTree,
} from "./params.js";
export { Rng, type RngState, rng } from "./rng.js";

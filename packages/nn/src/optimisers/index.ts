/** The optimisers: first-order rules (Optimisers.jl style), L-BFGS, schedules, state serialisation. */
export { Adam, type AdamOptions } from "./adam.js";
export { AdamW, type AdamWOptions } from "./adamw.js";
export { Descent } from "./descent.js";
export {
  type AsyncObjectiveGradient,
  LBFGS,
  type LBFGSOptimiser,
  type LBFGSOptions,
  type LBFGSResult,
  type LBFGSRetcode,
  type LBFGSState,
  minimize,
  type ObjectiveGradient,
} from "./lbfgs.js";
export { type LineSearchOptions, type LineSearchResult, strongWolfeLineSearch } from "./line-search.js";
export { Momentum, type MomentumOptions } from "./momentum.js";
export { Nesterov, type NesterovOptions } from "./nesterov.js";
export {
  type CommonOptions,
  type LearningRate,
  type Optimiser,
  type OptimiserState,
  type StateJSON,
  stateFromJSON,
  stateToJSON,
} from "./optimiser.js";
export { RMSProp, type RMSPropOptions } from "./rmsprop.js";
export { cosineDecay, exponentialDecay, type Schedule, stepDecay } from "./schedules.js";

/**
 * @udekit/ensemble: a loss that is a sum over experiments (each with its own u0, save times, data
 * and optional parameter subset), evaluated with its gradient experiment by experiment, on the
 * calling thread (evaluateSerial) or over a pool of workers (`@udekit/ensemble/pool`: worker_threads
 * on Node, Web Workers in a browser), with the same bits either way.
 */
export {
  canShareMemory,
  type EnsembleEvaluation,
  type EnsemblePool,
  ensemblePool,
  evaluateSerial,
  sumInOrder,
  type TaskRunner,
} from "./ensemble.js";
export {
  EnsembleError,
  EnsembleInputError,
  ExperimentFailedError,
  PoolClosedError,
  WorkerCrashedError,
} from "./errors.js";
export {
  type Experiment,
  type ExperimentView,
  type PackedExperiments,
  packExperiments,
} from "./experiment.js";
export type { ExperimentModel, ExperimentOutcome } from "./model.js";
export { type OdeExperimentModelOptions, odeExperimentModel, sumSquaresLoss } from "./ode-model.js";
export {
  type EnsembleHandler,
  type EnsembleReply,
  type EnsembleTask,
  type EnsembleWorkerHandler,
  ensembleHandler,
  type ModelFactory,
  serveEnsemble,
} from "./protocol.js";

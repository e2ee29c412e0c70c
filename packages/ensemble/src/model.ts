/**
 * What a worker module provides: the model of one experiment, evaluated with its gradient.
 * Functions cannot travel to workers, so each worker imports the module that exports it
 * (`export default serveEnsemble(model)`), the pattern of piscina and tinypool.
 */
import type { ExperimentView } from "./experiment.js";

/** The outcome of one experiment: its loss, or the retcode that says why there is none. */
export interface ExperimentOutcome {
  /** The experiment's loss (NaN when the retcode is not "Success"). */
  loss: number;
  /** "Success", or the failed solve's or gradient pass's retcode (e.g. "MaxIters", "Unstable"). */
  retcode: string;
  /** What went wrong, with the fix, when the retcode is not "Success". */
  message?: string;
}

/**
 * The model of one experiment. `lossAndGradient` must be deterministic (same inputs, same bits),
 * which is what makes the ensemble's gradient the same for any number of workers.
 */
export interface ExperimentModel {
  /**
   * The experiment's loss at parameters `p` (the experiment's own subset when it has one), its
   * gradient with respect to `p` assigned (not added) into `grad` (same length as `p`).
   */
  lossAndGradient(p: Float64Array, experiment: ExperimentView, grad: Float64Array): ExperimentOutcome;
}

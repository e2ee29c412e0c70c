/** Errors of @udekit/ensemble: each says what was wrong and how to fix it. */

/** Base class of every error thrown by @udekit/ensemble. */
export class EnsembleError extends Error {
  override name = "EnsembleError";
}

/** An experiment, a parameter vector or a pool option that cannot work (the message says which). */
export class EnsembleInputError extends EnsembleError {
  override name = "EnsembleInputError";
}

/**
 * One experiment's loss or gradient could not be computed: its solve or its gradient pass
 * returned a failure retcode, or the model threw. The evaluation as a whole fails: no loss and
 * no gradient are returned (the other experiments' results are discarded, never half-summed).
 * When several experiments fail, the one with the lowest index is reported, whatever the number
 * of workers.
 */
export class ExperimentFailedError extends EnsembleError {
  override name = "ExperimentFailedError";
  constructor(
    /** Index of the experiment in the ensemble (0-based). */
    readonly index: number,
    /** The solver's retcode (e.g. "MaxIters", "Unstable"), or the thrown error's name. */
    readonly retcode: string,
    /** What the solver or the model said. */
    readonly detail: string,
  ) {
    super(
      `experiment ${index} failed with retcode ${retcode}: ${detail} ` +
        "The ensemble's loss and gradient are not returned. Fix this experiment (its u0, times or data), " +
        "the parameters, or the model's solver settings (tolerances, maxiters, a stiff solver), or leave the experiment out.",
    );
  }
}

/**
 * The worker running an experiment died (it exited, ran out of memory, or its module threw while
 * loading) twice: once on the first attempt and again on the retry in a fresh worker.
 */
export class WorkerCrashedError extends EnsembleError {
  override name = "WorkerCrashedError";
  constructor(
    /** Index of the experiment whose task was running. */
    readonly index: number,
    /** What the second crash reported. */
    readonly causeMessage: string,
  ) {
    super(
      `experiment ${index}: its worker crashed twice (the task was retried once in a fresh worker): ${causeMessage}. ` +
        "Fix: check that the worker module loads on its own (node <module>) and that its model does not exit the thread; " +
        "a worker that runs out of memory needs fewer experiments per pool or a larger heap (--max-old-space-size).",
    );
  }
}

/** evaluate() was called on a pool after close(). */
export class PoolClosedError extends EnsembleError {
  override name = "PoolClosedError";
  constructor() {
    super(
      "the ensemble pool is closed. Fix: create a new pool with createEnsemblePool(...) before evaluating.",
    );
  }
}

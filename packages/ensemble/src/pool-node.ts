/**
 * The Node half of the pool: piscina over worker_threads. Each worker imports the worker module
 * (whose default export is serveEnsemble(model)); piscina rejects the task of a worker that exits
 * or throws and starts a fresh worker in its place, and the shared half (ensemble.ts) retries that
 * task once. This file is what `@udekit/ensemble/pool` resolves to under the "node" condition.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { Piscina } from "piscina";
import { canShareMemory, type EnsemblePool, ensemblePool } from "./ensemble.js";
import { EnsembleInputError } from "./errors.js";
import type { Experiment } from "./experiment.js";
import type { EnsembleReply } from "./protocol.js";

export type { EnsembleEvaluation, EnsemblePool } from "./ensemble.js";

export interface EnsemblePoolOptions {
  /** The worker module (URL or path): `export default serveEnsemble(model)`. */
  worker: string | URL;
  experiments: readonly Experiment[];
  /** Length of the ensemble's parameter vector. */
  paramLength: number;
  /**
   * Structured-cloneable data handed to a worker module that exports serveEnsemble(factory):
   * the factory builds its model from it (e.g. a model description and solver settings).
   */
  config?: unknown;
  /** Worker threads (default: the number of cores, os.availableParallelism()). */
  workers?: number;
  /** Node options of the worker threads, e.g. ["--import", loaderUrl] for a TypeScript worker module. */
  execArgv?: string[];
}

/** Starts `workers` threads that each load the worker module, bound to these experiments. */
export function createEnsemblePool(options: EnsemblePoolOptions): EnsemblePool {
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new EnsembleInputError(`workers must be a whole number ≥ 1; got ${workers}.`);
  }
  const w = options.worker;
  const filename = w instanceof URL ? w.href : /^file:/.test(w) ? w : resolve(w);
  const start = () => {
    const piscina = new Piscina({
      filename,
      // minThreads = maxThreads: the workers stay alive between evaluations (their compiled
      // tapes and caches are what make the second evaluation fast).
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: Number.POSITIVE_INFINITY,
      ...(options.execArgv === undefined ? {} : { execArgv: options.execArgv }),
    });
    // piscina reports a worker that fails outside a task (while loading its module, or later
    // between tasks) as an 'error' event, and starts no replacement for a worker that never came
    // up, so the tasks waiting for one would wait forever. Here such an error aborts the tasks in
    // flight (ensemble.ts retries each once); before any task has succeeded it is a module that
    // does not load, and every later task is refused with it at once.
    const inFlight = new Set<AbortController>();
    let loadError: Error | undefined;
    let succeeded = false;
    piscina.on("error", (err: Error) => {
      if (!succeeded) loadError = err;
      for (const c of inFlight) c.abort(err);
    });
    return {
      run: (task: unknown, transfer: ArrayBuffer[]) => {
        if (loadError !== undefined) return Promise.reject(loadError);
        const c = new AbortController();
        inFlight.add(c);
        return (
          piscina.run(task, { transferList: transfer, signal: c.signal }) as Promise<EnsembleReply>
        ).then(
          (reply) => {
            inFlight.delete(c);
            succeeded = true;
            return reply;
          },
          (err: unknown) => {
            inFlight.delete(c);
            throw c.signal.aborted ? c.signal.reason : err;
          },
        );
      },
      close: () => piscina.destroy(),
    };
  };
  return ensemblePool(
    start,
    workers,
    options.experiments,
    options.paramLength,
    canShareMemory(),
    options.config,
  );
}

/**
 * The messages between the pool and its workers, and the worker's side of them. A task names one
 * experiment and carries the parameters and, when memory is shared, the row of the gradient
 * buffer the worker writes into; the reply carries the loss and retcode (and the gradient itself
 * when memory is not shared).
 */
import type { ExperimentView } from "./experiment.js";
import type { ExperimentModel } from "./model.js";

export interface EnsembleTask {
  experiment: ExperimentView;
  /** The ensemble's parameter vector (a view of shared memory, or a transferred copy). */
  p: Float64Array;
  /** This experiment's gradient row (ensemble length) in shared memory; absent: reply with it. */
  grad?: Float64Array;
  /** The pool's `config`, for a worker module that builds its model from it (a ModelFactory). */
  config?: unknown;
}

export interface EnsembleReply {
  index: number;
  loss: number;
  /** "Success", a solver retcode, or the name of an error the model threw. */
  retcode: string;
  message?: string;
  /** The gradient row when the task had no shared row to write into. */
  grad?: Float64Array;
}

/** A worker's task handler (what a worker module's default export is). */
export type EnsembleHandler = (task: EnsembleTask) => EnsembleReply;

/**
 * Builds a worker's model from the pool's `config` (structured-cloneable data such as a model
 * description and solver settings), for models that are chosen at run time. Called once per
 * worker and config.
 */
export type ModelFactory = (config: unknown) => ExperimentModel | Promise<ExperimentModel>;

/** What a worker module exports: answers a task now (a model) or once its model is built (a factory). */
export type EnsembleWorkerHandler = (task: EnsembleTask) => EnsembleReply | Promise<EnsembleReply>;

/**
 * Makes the task handler of a model. Scratch vectors for parameter subsets are kept per length,
 * so steady-state evaluation allocates only what the model itself does.
 */
export function ensembleHandler(model: ExperimentModel): EnsembleHandler {
  const scratch = new Map<number, { p: Float64Array; g: Float64Array }>();
  return (task) => {
    const { experiment: e, p } = task;
    const row = task.grad ?? new Float64Array(p.length);
    try {
      let outcome: ReturnType<ExperimentModel["lossAndGradient"]>;
      if (e.params === undefined) {
        outcome = model.lossAndGradient(p, e, row);
      } else {
        const idx = e.params;
        let s = scratch.get(idx.length);
        if (s === undefined) {
          s = { p: new Float64Array(idx.length), g: new Float64Array(idx.length) };
          scratch.set(idx.length, s);
        }
        for (let k = 0; k < idx.length; k++) s.p[k] = p[idx[k]];
        outcome = model.lossAndGradient(s.p, e, s.g);
        if (outcome.retcode === "Success") {
          row.fill(0);
          // += so that an index listed twice gets both contributions (the chain rule of a gather).
          for (let k = 0; k < idx.length; k++) row[idx[k]] += s.g[k];
        }
      }
      const reply: EnsembleReply = { index: e.index, loss: outcome.loss, retcode: outcome.retcode };
      if (outcome.message !== undefined) reply.message = outcome.message;
      if (task.grad === undefined && outcome.retcode === "Success") reply.grad = row;
      return reply;
    } catch (err) {
      const error = err as Error;
      return {
        index: e.index,
        loss: Number.NaN,
        retcode: error?.name ?? "Error",
        message: `the model threw: ${error?.message ?? String(err)}`,
      };
    }
  };
}

interface WorkerScope {
  addEventListener(
    type: "message",
    listener: (ev: { data: { id: number; task: EnsembleTask } }) => void,
  ): void;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

/**
 * The default export of a worker module: `export default serveEnsemble(model)`, or
 * `serveEnsemble((config) => model)` to build the model from the pool's `config`. Returns the
 * handler (which piscina calls on Node); inside a Web Worker it also answers the pool's messages,
 * transferring a gradient that is not in shared memory.
 */
export function serveEnsemble(source: ExperimentModel | ModelFactory): EnsembleWorkerHandler {
  let handler: EnsembleWorkerHandler;
  if (typeof source === "function") {
    let built: { key: string; handler: Promise<EnsembleHandler> } | undefined;
    handler = (task) => {
      const key = JSON.stringify(task.config ?? null);
      if (built?.key !== key) {
        built = { key, handler: Promise.resolve(source(task.config)).then(ensembleHandler) };
      }
      return built.handler.then((h) => h(task));
    };
  } else {
    handler = ensembleHandler(source);
  }
  const g = globalThis as { WorkerGlobalScope?: unknown; self?: unknown };
  if (typeof g.WorkerGlobalScope === "function" && g.self !== undefined) {
    const scope = g.self as WorkerScope;
    scope.addEventListener("message", async (ev) => {
      const { id, task } = ev.data;
      const reply = await handler(task);
      scope.postMessage({ id, reply }, reply.grad === undefined ? [] : [reply.grad.buffer as ArrayBuffer]);
    });
  }
  return handler;
}

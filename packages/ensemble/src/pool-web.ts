/**
 * The browser half of the pool: module Web Workers, one task at a time each. A worker that fails
 * (an uncaught error, a module that does not load) is terminated and replaced, and the task it was
 * running goes back to the shared half (ensemble.ts), which retries it once. Parameters and
 * gradient rows live in SharedArrayBuffers on a cross-origin-isolated page, otherwise they are
 * transferred. This file is what `@udekit/ensemble/pool` resolves to under "browser" and "default".
 */
import { canShareMemory, type EnsemblePool, ensemblePool, type TaskRunner } from "./ensemble.js";
import { EnsembleInputError } from "./errors.js";
import type { Experiment } from "./experiment.js";
import type { EnsembleReply, EnsembleTask } from "./protocol.js";

export type { EnsembleEvaluation, EnsemblePool } from "./ensemble.js";

export interface EnsemblePoolOptions {
  /** The worker module's URL (`export default serveEnsemble(model)`), loaded as a module worker. */
  worker: string | URL;
  experiments: readonly Experiment[];
  /** Length of the ensemble's parameter vector. */
  paramLength: number;
  /**
   * Structured-cloneable data handed to a worker module that exports serveEnsemble(factory):
   * the factory builds its model from it (e.g. a model description and solver settings).
   */
  config?: unknown;
  /** Workers (default: navigator.hardwareConcurrency). */
  workers?: number;
  /** Ignored in a browser (Node's worker options); accepted so one call works on both platforms. */
  execArgv?: string[];
}

interface Pending {
  id: number;
  task: EnsembleTask;
  transfer: ArrayBuffer[];
  resolve: (r: EnsembleReply) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  current: Pending | undefined;
}

/** Starts `workers` module workers that each load the worker module, bound to these experiments. */
export function createEnsemblePool(options: EnsemblePoolOptions): EnsemblePool {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const workers = options.workers ?? nav?.hardwareConcurrency ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new EnsembleInputError(`workers must be a whole number ≥ 1; got ${workers}.`);
  }
  return ensemblePool(
    () => webWorkerRunner(options.worker, workers),
    workers,
    options.experiments,
    options.paramLength,
    canShareMemory(),
    options.config,
  );
}

/** Module workers, one task at a time each; a failed worker is replaced and its task rejected. */
function webWorkerRunner(url: string | URL, workers: number): TaskRunner {
  const queue: Pending[] = [];
  let nextId = 0;
  let closed = false;
  const slots: Slot[] = [];

  const start = (slot: Slot) => {
    slot.worker = new Worker(url, { type: "module" });
    slot.worker.addEventListener("message", (ev: MessageEvent<{ id: number; reply: EnsembleReply }>) => {
      const job = slot.current;
      if (job === undefined || job.id !== ev.data.id) return;
      slot.current = undefined;
      job.resolve(ev.data.reply);
      pump();
    });
    const fail = (what: string) => {
      const job = slot.current;
      slot.current = undefined;
      slot.worker.terminate();
      if (!closed) start(slot);
      job?.reject(new Error(what));
      pump();
    };
    slot.worker.addEventListener("error", (ev: ErrorEvent) => {
      ev.preventDefault();
      fail(`worker error: ${ev.message || "the worker module failed to load or threw"}`);
    });
    slot.worker.addEventListener("messageerror", () => fail("a message could not be deserialized"));
  };
  const pump = () => {
    for (const slot of slots) {
      if (slot.current !== undefined || queue.length === 0) continue;
      const job = queue.shift() as Pending;
      slot.current = job;
      slot.worker.postMessage({ id: job.id, task: job.task }, job.transfer);
    }
  };
  for (let i = 0; i < workers; i++) {
    const slot = { current: undefined } as unknown as Slot;
    start(slot);
    slots.push(slot);
  }
  return {
    run: (task, transfer) =>
      new Promise<EnsembleReply>((resolve, reject) => {
        queue.push({ id: nextId++, task, transfer, resolve, reject });
        pump();
      }),
    close: async () => {
      closed = true;
      for (const slot of slots) slot.worker.terminate();
      for (const job of queue.splice(0)) job.reject(new Error("the pool was closed"));
    },
  };
}

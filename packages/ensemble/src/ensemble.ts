/**
 * The platform-independent half of a pool: packs the experiments, writes the parameters where the
 * workers read them, sends one task per experiment to a task runner (tinypool on Node, Web Workers
 * in a browser), retries a task once when its worker crashed, and sums the per-experiment results
 * in experiment order, so the gradient has the same bits for any number of workers and equals the
 * serial sum (evaluateSerial).
 */
import { EnsembleInputError, ExperimentFailedError, PoolClosedError, WorkerCrashedError } from "./errors.js";
import { type Experiment, type ExperimentView, packExperiments } from "./experiment.js";
import type { ExperimentModel } from "./model.js";
import { type EnsembleReply, type EnsembleTask, ensembleHandler } from "./protocol.js";

/** The result of one ensemble evaluation. */
export interface EnsembleEvaluation {
  /** Σᵢ lossᵢ, summed in experiment order. */
  loss: number;
  /** Σᵢ ∇lossᵢ, summed in experiment order (the `out` vector when one was given). */
  grad: Float64Array;
  /** Each experiment's loss, by index. */
  losses: Float64Array;
}

/** Runs one task on some worker; rejects only when the worker itself failed (crash, load error). */
export interface TaskRunner {
  run(task: EnsembleTask, transfer: ArrayBuffer[]): Promise<EnsembleReply>;
  close(): Promise<void>;
}

/** An ensemble bound to a pool of workers. */
export interface EnsemblePool {
  /** Number of worker threads. */
  readonly workers: number;
  /** Number of experiments. */
  readonly experiments: number;
  /** Length of the parameter vector. */
  readonly paramLength: number;
  /**
   * The summed loss and gradient at `p` (length paramLength). Evaluations run one at a time in call
   * order. Rejects with ExperimentFailedError (lowest failing index) or WorkerCrashedError.
   */
  evaluate(p: ArrayLike<number>, out?: Float64Array): Promise<EnsembleEvaluation>;
  /** Stops every worker; resolves when they have exited. Idempotent. */
  close(): Promise<void>;
}

function checkVector(v: ArrayLike<number>, paramLength: number, what: string): void {
  if (v === null || typeof v !== "object" || v.length !== paramLength) {
    throw new EnsembleInputError(
      `${what} must have length paramLength = ${paramLength}; got ${v === null || typeof v !== "object" ? String(v) : `length ${v.length}`}.`,
    );
  }
}

/**
 * Sums rows (experiments × paramLength, row-major) and losses in experiment order into out.
 * The same loop serves the pool and evaluateSerial, so their sums are the same sums.
 */
export function sumInOrder(
  rows: Float64Array,
  losses: Float64Array,
  out: Float64Array,
): { loss: number; grad: Float64Array } {
  const P = out.length;
  out.fill(0);
  let loss = 0;
  for (let e = 0; e < losses.length; e++) {
    loss += losses[e];
    const base = e * P;
    for (let j = 0; j < P; j++) out[j] += rows[base + j];
  }
  return { loss, grad: out };
}

function failure(index: number, reply: EnsembleReply): ExperimentFailedError {
  return new ExperimentFailedError(index, reply.retcode, reply.message ?? "no message.");
}

/**
 * The ensemble's loss and gradient on the calling thread, experiment after experiment: the
 * reference every pool must match bit for bit, and the right choice for one experiment or one core.
 */
export function evaluateSerial(
  model: ExperimentModel,
  experiments: readonly Experiment[],
  p: ArrayLike<number>,
  out?: Float64Array,
): EnsembleEvaluation {
  const P = p?.length;
  const { views } = packExperiments(experiments, P, false);
  const params = Float64Array.from(p);
  if (out !== undefined) checkVector(out, P, "out");
  const handler = ensembleHandler(model);
  const rows = new Float64Array(views.length * P);
  const losses = new Float64Array(views.length);
  for (const e of views) {
    const reply = handler({ experiment: e, p: params, grad: rows.subarray(e.index * P, (e.index + 1) * P) });
    if (reply.retcode !== "Success") throw failure(e.index, reply);
    losses[e.index] = reply.loss;
  }
  const { loss, grad } = sumInOrder(rows, losses, out ?? new Float64Array(P));
  return { loss, grad, losses };
}

/** Whether workers can share memory here (Node; a browser page only when cross-origin isolated). */
export function canShareMemory(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer === "function" && g.crossOriginIsolated !== false;
}

/**
 * Builds an EnsemblePool over a task runner (the platform's half). The runner is started only
 * after the experiments have been checked, so bad input starts no worker.
 */
export function ensemblePool(
  startRunner: () => TaskRunner,
  workers: number,
  experiments: readonly Experiment[],
  paramLength: number,
  shared: boolean,
  config?: unknown,
): EnsemblePool {
  const { views } = packExperiments(experiments, paramLength, shared);
  const runner = startRunner();
  const withConfig = config === undefined ? {} : { config };
  const E = views.length;
  const P = paramLength;
  const mem = (doubles: number) =>
    new Float64Array(shared ? new SharedArrayBuffer(8 * doubles) : new ArrayBuffer(8 * doubles));
  const params = mem(P);
  const rows = mem(E * P);
  const rowViews = views.map((e) => rows.subarray(e.index * P, (e.index + 1) * P));
  const losses = new Float64Array(E);
  let closed = false;
  let closing: Promise<void> | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  let inFlight = 0;

  const runOnce = (e: ExperimentView): Promise<EnsembleReply> => {
    if (shared) return runner.run({ experiment: e, p: params, grad: rowViews[e.index], ...withConfig }, []);
    const p = params.slice();
    return runner.run({ experiment: e, p, ...withConfig }, [p.buffer as ArrayBuffer]);
  };
  // A rejection means the worker died (the model's own failures come back as replies): one retry
  // in the fresh worker that the runner starts in its place.
  const runWithRetry = (e: ExperimentView): Promise<EnsembleReply> =>
    runOnce(e).catch(() =>
      runOnce(e).catch((err: unknown) => {
        throw new WorkerCrashedError(e.index, (err as Error)?.message ?? String(err));
      }),
    );

  const evaluateNow = async (
    snapshot: Float64Array | undefined,
    out: Float64Array,
  ): Promise<EnsembleEvaluation> => {
    if (snapshot !== undefined) params.set(snapshot);
    // Every task settles before anything is summed or thrown, so no worker is still writing into
    // the gradient rows when the next evaluation starts.
    const settled = await Promise.allSettled(views.map(runWithRetry));
    for (let i = 0; i < E; i++) {
      const s = settled[i];
      if (s.status === "rejected") throw s.reason;
      if (s.value.retcode !== "Success") throw failure(i, s.value);
      losses[i] = s.value.loss;
      if (!shared) rowViews[i].set(s.value.grad as Float64Array);
    }
    const { loss, grad } = sumInOrder(rows, losses, out);
    return { loss, grad, losses: losses.slice() };
  };

  return {
    workers,
    experiments: E,
    paramLength: P,
    evaluate(p, out) {
      if (closed) return Promise.reject(new PoolClosedError());
      try {
        checkVector(p, P, "p");
        if (out !== undefined) checkVector(out, P, "out");
      } catch (err) {
        return Promise.reject(err);
      }
      const target = out ?? new Float64Array(P);
      // The parameters are read now: written straight into the shared vector when no evaluation is
      // running, otherwise copied, so a caller may change p as soon as evaluate() returns.
      let snapshot: Float64Array | undefined;
      if (inFlight === 0) params.set(p);
      else snapshot = Float64Array.from(p);
      inFlight++;
      const run = tail.then(() => evaluateNow(snapshot, target));
      tail = run.catch(() => undefined).finally(() => inFlight--);
      return run;
    },
    close() {
      closed = true;
      closing ??= tail.then(() => runner.close());
      return closing;
    },
  };
}

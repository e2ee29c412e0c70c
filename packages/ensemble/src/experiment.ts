/**
 * Experiments of an ensemble and their packed form: every array of every experiment lives in one
 * buffer (a SharedArrayBuffer where the platform allows it), so a task sends views that workers
 * read in place instead of copies.
 */
import { EnsembleInputError } from "./errors.js";

/** One experiment: its own initial state, observation times, observations and parameter subset. */
export interface Experiment {
  /** Initial state u(t0), length n. */
  u0: ArrayLike<number>;
  /** Observation times (the rows of `data`), ordered from t0; the solve ends at the last one. */
  saveat: ArrayLike<number>;
  /** Observations, saveat.length × n, row-major (one row per time). */
  data: ArrayLike<number>;
  /** Start time of the solve (default saveat[0]). */
  t0?: number;
  /**
   * Indices into the ensemble's parameter vector of the parameters this experiment's model sees,
   * in the model's order (default: the whole vector). Its gradient is added back at these indices.
   */
  params?: ArrayLike<number>;
}

/** An experiment as workers see it: typed views into the packed buffer. */
export interface ExperimentView {
  /** Index in the ensemble. */
  index: number;
  t0: number;
  u0: Float64Array;
  saveat: Float64Array;
  data: Float64Array;
  /** Parameter indices, or undefined for the whole vector. */
  params: Int32Array | undefined;
}

/** Checks an experiment against the ensemble's parameter length; throws EnsembleInputError. */
function check(e: Experiment, i: number, paramLength: number): void {
  const where = `experiment ${i}`;
  if (e === null || typeof e !== "object") {
    throw new EnsembleInputError(`${where} must be an object { u0, saveat, data }; got ${String(e)}.`);
  }
  for (const key of ["u0", "saveat", "data"] as const) {
    const a = e[key];
    if (a === undefined || typeof a.length !== "number" || a.length === 0) {
      throw new EnsembleInputError(`${where}: ${key} must be a non-empty array of numbers.`);
    }
    for (let k = 0; k < a.length; k++) {
      if (!Number.isFinite(a[k]) && !(key === "data" && Number.isNaN(a[k]))) {
        throw new EnsembleInputError(`${where}: ${key}[${k}] = ${a[k]} is not a finite number.`);
      }
    }
  }
  const n = e.u0.length;
  const m = e.saveat.length;
  if (e.data.length !== m * n) {
    throw new EnsembleInputError(
      `${where}: data has ${e.data.length} values; expected saveat.length × u0.length = ${m} × ${n} = ${m * n} (one row per time, row-major).`,
    );
  }
  if (e.t0 !== undefined && !Number.isFinite(e.t0)) {
    throw new EnsembleInputError(`${where}: t0 = ${e.t0} is not a finite number.`);
  }
  if (e.params !== undefined) {
    for (let k = 0; k < e.params.length; k++) {
      const j = e.params[k];
      if (!Number.isInteger(j) || j < 0 || j >= paramLength) {
        throw new EnsembleInputError(
          `${where}: params[${k}] = ${j} is not an index into the parameter vector (0 ≤ index < ${paramLength}).`,
        );
      }
    }
  }
}

/** The packed experiments: one buffer and a view of each experiment into it. */
export interface PackedExperiments {
  buffer: ArrayBufferLike;
  views: ExperimentView[];
}

/**
 * Packs the experiments into one buffer (shared: a SharedArrayBuffer) after checking them.
 * Float64 blocks come first and the Int32 parameter indices last, so every view is aligned.
 */
export function packExperiments(
  experiments: readonly Experiment[],
  paramLength: number,
  shared: boolean,
): PackedExperiments {
  if (!Array.isArray(experiments) || experiments.length === 0) {
    throw new EnsembleInputError("experiments must be a non-empty array of { u0, saveat, data }.");
  }
  if (!Number.isInteger(paramLength) || paramLength <= 0) {
    throw new EnsembleInputError(`paramLength must be a positive whole number; got ${paramLength}.`);
  }
  for (let i = 0; i < experiments.length; i++) check(experiments[i], i, paramLength);
  let doubles = 0;
  let ints = 0;
  for (const e of experiments) {
    doubles += e.u0.length + e.saveat.length + e.data.length;
    ints += e.params?.length ?? 0;
  }
  const bytes = 8 * doubles + 4 * ints;
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  let f = 0;
  let k = 8 * doubles;
  const f64 = (src: ArrayLike<number>) => {
    const v = new Float64Array(buffer, 8 * f, src.length);
    v.set(src);
    f += src.length;
    return v;
  };
  const views = experiments.map((e, index): ExperimentView => {
    const u0 = f64(e.u0);
    const saveat = f64(e.saveat);
    const data = f64(e.data);
    let params: Int32Array | undefined;
    if (e.params !== undefined) {
      params = new Int32Array(buffer, k, e.params.length);
      params.set(e.params);
      k += 4 * e.params.length;
    }
    return { index, t0: e.t0 ?? saveat[0], u0, saveat, data, params };
  });
  return { buffer, views };
}

/**
 * Several experiments at once (issue #20): `--data` given several times, or a folder of CSV files,
 * makes `ude gradient` and `ude train` fit one model to every experiment (each CSV: its own initial
 * condition, times and observations) with the loss summed over them, each experiment's solve and
 * adjoint running on a pool of worker threads (@udekit/ensemble; src/ensemble-worker.ts is the
 * module every worker loads).
 */
import { readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, join } from "node:path";
import { EnsembleError, type EnsembleEvaluation, type EnsemblePool, type Experiment } from "@udekit/ensemble";
import { createEnsemblePool } from "@udekit/ensemble/pool";
import type { Command } from "commander";
import { userPath } from "./data.js";
import { ENSEMBLE_METHODS, type UdeWorkerConfig } from "./ensemble-worker.js";
import { OptionError, RunError } from "./errors.js";
import type { Problem } from "./gradients.js";
import { parseInteger } from "./options.js";

export { ENSEMBLE_METHODS } from "./ensemble-worker.js";

const dataValues = new WeakMap<Command, string[]>();
const ensembleCommands = new WeakSet<Command>();

/** commander's parser of --data: keeps every value given (the option's own value is the last one). */
export function collectData(cmd: Command): (value: string) => string {
  return (value) => {
    const list = dataValues.get(cmd) ?? [];
    list.push(value);
    dataValues.set(cmd, list);
    return value;
  };
}

/**
 * The experiments' CSV files when the command line names several (--data repeated, or one --data
 * that is a folder: its *.csv files in natural order); undefined for one file or none.
 */
export function experimentFiles(cmd: Command): string[] | undefined {
  const values = dataValues.get(cmd) ?? [];
  if (values.length > 1) return values;
  if (values.length === 0) return undefined;
  const dir = values[0];
  let isDir = false;
  try {
    isDir = statSync(userPath(dir)).isDirectory();
  } catch {
    return undefined; // a missing file is reported by the usual single-file path
  }
  if (!isDir) return undefined;
  const files = readdirSync(userPath(dir))
    .filter((f) => f.toLowerCase().endsWith(".csv"))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((f) => join(dir, f));
  // A folder without CSV files is reported by the single-file path ("is a directory, not a file").
  if (files.length === 0) return undefined;
  return files;
}

/** Marks a command as running an ensemble (its per-file loads are then not "several --data"). */
export function markEnsemble(cmd: Command): void {
  ensembleCommands.add(cmd);
}

/** Refuses several --data files (or a folder) for a command that takes one data set. */
export function checkSingleData(cmd: Command, command: string): void {
  if (ensembleCommands.has(cmd)) return;
  const files = experimentFiles(cmd);
  if (files === undefined) return;
  throw new OptionError(
    `\`ude ${command}\` takes one --data file, got ${files.length} experiments (${files.map((f) => basename(f)).join(", ")}). ` +
      "Fix: pass one CSV; `ude gradient` and `ude train` take several (--data repeated, or a folder) and fit them together.",
  );
}

/** --workers: default the number of cores. */
export function parseWorkers(value: string | undefined): number {
  return value === undefined ? availableParallelism() : parseInteger("--workers", value, 1, "2", 256);
}

/** --method / --sensealg for an ensemble: the solve-based methods only. */
export function checkEnsembleMethod(method: string, option: string): void {
  if (!(ENSEMBLE_METHODS as readonly string[]).includes(method)) {
    throw new OptionError(
      `${option} ${method} is not available with several experiments (expm has no solve to distribute, direct records every step on one tape, all compares single runs). ` +
        `Fix: pass ${option} with one of ${ENSEMBLE_METHODS.join(", ")}.`,
    );
  }
}

/** One loaded experiment: its file and its problem (observations, starting parameters, settings). */
export interface LoadedExperiment {
  file: string;
  /** `seed`: the --seed of random starting parameters, when given. */
  problem: Problem & { seed?: number };
}

/** Loads every experiment with the command's usual checks (`load` is problemFrom for one file). */
export async function loadExperiments(
  cmd: Command,
  files: readonly string[],
  load: (file: string) => Promise<Problem & { seed?: number }>,
): Promise<LoadedExperiment[]> {
  markEnsemble(cmd);
  const out: LoadedExperiment[] = [];
  for (const file of files) out.push({ file, problem: await load(file) });
  const first = out[0].problem;
  for (const { file, problem } of out.slice(1)) {
    if (problem.obs.values.length !== first.obs.values.length) {
      throw new OptionError(
        `experiment "${file}" has ${problem.obs.values.length} nodes but "${out[0].file}" has ${first.obs.values.length}. Fix: every experiment of one model observes the same nodes.`,
      );
    }
  }
  return out;
}

/** An experiment as @udekit/ensemble takes it: u0 = the first column, data one row per time. */
export function toExperiment(problem: Problem): Experiment {
  const { times, values } = problem.obs;
  const n = values.length;
  const data = new Float64Array(times.length * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < times.length; k++) data[k * n + i] = values[i][k];
  return { u0: values.map((r) => r[0]), saveat: times, data };
}

/** Starts the pool of `workers` threads for these experiments (the model of `problem`, by `method`). */
export function startPool(
  problem: Problem,
  experiments: readonly LoadedExperiment[],
  workers: number,
  method: string,
): EnsemblePool {
  const { params, solve } = problem;
  const config: UdeWorkerConfig = {
    spec: params.spec,
    n: params.n,
    paramLength: params.vector.length,
    solver: solve.solver.name,
    reltol: solve.reltol,
    abstol: solve.abstol,
    ...(solve.dt !== undefined ? { dt: solve.dt } : {}),
    method,
  };
  return createEnsemblePool({
    worker: new URL("./ensemble-worker.ts", import.meta.url),
    experiments: experiments.map((e) => toExperiment(e.problem)),
    paramLength: params.vector.length,
    workers,
    execArgv: ["--import", new URL("../bin/worker-loader.mjs", import.meta.url).href],
    config,
  });
}

/** pool.evaluate, with an experiment's failure or a crashed worker as a one-line RunError naming the file. */
export async function evaluateEnsemble(
  pool: EnsemblePool,
  p: Float64Array,
  experiments: readonly LoadedExperiment[],
): Promise<EnsembleEvaluation> {
  try {
    return await pool.evaluate(p);
  } catch (e) {
    if (!(e instanceof EnsembleError)) throw e;
    const index = (e as { index?: number }).index;
    const which = index !== undefined ? `experiment ${index + 1} ("${experiments[index]?.file}"): ` : "";
    throw new RunError(`${which}${e.message}`);
  }
}

/** The per-experiment fit as text lines: file, loss, share of the total, RMSE over observed values after t0. */
export function experimentLines(experiments: readonly LoadedExperiment[], losses: Float64Array): string[] {
  const total = losses.reduce((a, b) => a + b, 0);
  const width = Math.max(...experiments.map((e) => e.file.length));
  return experiments.map((e, i) => {
    const { rmse } = experimentFit(e, losses[i]);
    return `    ${String(i + 1).padStart(3)}  ${e.file.padEnd(width)}  loss ${losses[i].toExponential(4)}  (${((100 * losses[i]) / total).toFixed(1)} %)  RMSE ${rmse.toExponential(3)}`;
  });
}

/** Loss and RMSE of one experiment (RMSE over the observed values after the initial condition). */
export function experimentFit(
  e: LoadedExperiment,
  loss: number,
): { file: string; loss: number; rmse: number } {
  let observed = 0;
  for (const row of e.problem.obs.values)
    for (let k = 1; k < row.length; k++) if (!Number.isNaN(row[k])) observed++;
  return { file: e.file, loss, rmse: Math.sqrt(loss / Math.max(observed, 1)) };
}

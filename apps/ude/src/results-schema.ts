/**
 * The results.json document (format "udekit-ude-results", version 1) and its JSON text, without
 * file access, so the CLI (results.ts writes it) and the browser playground (apps/web offers it as
 * a download) produce the same schema from the same code:
 *   command, created, versions, settings, training { status, message, iterations, initial_loss,
 *   final_loss, history: [{ iteration, phase, loss, elapsed_s, data_loss?, penalty?,
 *   validation_loss? }], final_data_loss?, final_penalty?, validation? }, timings, model (the
 *   model's description, model-spec.ts: what `--params` rebuilds the model from), parameters
 *   { model (its name), activation (as settings.activation), n, P (rows; P itself, after its
 *   constraint and mask), nn.layers (with a net) }, gradient_table (demo), resume (resume.ts: what
 *   `--resume` continues).
 * A checkpoint (`--checkpoint-every`) is the same document with status "running".
 */
import type { ActivationName } from "@udekit/nn";
import type { Problem } from "./gradients.js";
import type { LayerValues, ModelParams } from "./model.js";
import type { ModelSpec } from "./model-spec.js";
import { type SavedResume, savedResume } from "./resume.js";
import type { GradientTable } from "./table.js";
import type { AuditRecord, IterationRecord, StopReason, TrainOutcome, TrainSettings } from "./training.js";

export const RESULTS_FORMAT = "udekit-ude-results";

export interface SavedParameters {
  /** The model's name (its description is the document's `model`). */
  model: string;
  /**
   * As settings.activation (activationSetting): one name, or one per hidden layer when they
   * differ. Documents written before that hold the first hidden layer's name here; readers take
   * the model from `model` when present (params-file.ts), so both forms read back.
   */
  activation: ActivationName | ActivationName[];
  n: number;
  P: number[][];
  nn?: { layers: LayerValues[] };
}

export interface ResultsDocument {
  format: typeof RESULTS_FORMAT;
  format_version: 1;
  command: string;
  created: string;
  versions: Record<string, string>;
  settings: Record<string, unknown>;
  training: {
    status: StopReason;
    message: string;
    iterations: number;
    initial_loss: number;
    final_loss: number;
    history: IterationRecord[];
    /** Gradient audits (sensealg verify) on the first evaluation and every 50th. */
    gradient_audits: AuditRecord[];
    /** With --l1/--l2: final_loss = final_data_loss + final_penalty (at the best parameters). */
    final_data_loss?: number;
    final_penalty?: number;
    /** With --holdout: the validation loss at the first iteration, at the best parameters, and its lowest. */
    validation?: ValidationSummary;
  };
  timings: Record<string, number>;
  /** The model's description (absent in documents written before model files existed). */
  model?: ModelSpec;
  parameters: SavedParameters;
  gradient_table?: GradientTable;
  /** What --resume continues from (resume.ts); absent when the optimiser's state was not finite. */
  resume?: SavedResume;
}

export interface ValidationSummary {
  /** Observed values held out of the training loss. */
  held_out: number;
  first: number;
  at_best: number;
  lowest: number;
  lowest_iteration: number;
}

/** The validation summary of a run with a hold-out (the per-iteration values are in history). */
export function validationSummary(outcome: TrainOutcome, heldOut: number): ValidationSummary | undefined {
  // No held-out values, no validation (a history from elsewhere may still carry the values).
  if (heldOut === 0) return undefined;
  const v = outcome.history.filter((h) => h.validation_loss !== undefined);
  if (v.length === 0) return undefined;
  let lowest = v[0];
  for (const h of v) if ((h.validation_loss as number) < (lowest.validation_loss as number)) lowest = h;
  return {
    held_out: heldOut,
    first: v[0].validation_loss as number,
    at_best: outcome.history.find((h) => h.loss === outcome.bestLoss)?.validation_loss ?? Number.NaN,
    lowest: lowest.validation_loss as number,
    lowest_iteration: lowest.iteration,
  };
}

/**
 * settings.activation: the hidden layers' activation, or one per hidden layer (in order) when
 * they differ (a model file's net may mix them).
 */
export function activationSetting(spec: ModelSpec): ActivationName | ActivationName[] {
  const all = spec.net?.hidden.map((h) => h.activation) ?? [];
  return all.length > 1 && all.some((a) => a !== all[0]) ? all : (all[0] ?? "identity");
}

/** savedParameters of the vector `x` (params' own vector is restored afterwards). */
function savedAt(params: ModelParams, x: Float64Array): SavedParameters {
  const keep = Float64Array.from(params.vector);
  params.vector.set(x);
  try {
    return savedParameters(params);
  } finally {
    params.vector.set(keep);
  }
}

export function savedParameters(params: ModelParams): SavedParameters {
  return {
    model: params.kind,
    activation: activationSetting(params.spec),
    n: params.n,
    P: params.P(),
    ...(params.spec.net !== undefined ? { nn: { layers: params.layers() } } : {}),
  };
}

/**
 * JSON text; NaN/±Infinity (which JSON cannot hold) become null. With an indent, arrays of
 * numbers stay on one line, so a matrix reads as one row per line.
 */
export function toJson(doc: unknown, indent?: number): string {
  const text = JSON.stringify(
    doc,
    (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
    indent,
  );
  if (indent === undefined) return text;
  return text.replace(/\[(?:\s*(?:-?[\d.eE+-]+|null)\s*,?)+\s*\]/g, (m) => m.replace(/\s+/g, ""));
}

/** What a run records about itself besides the problem, the settings and the outcome. */
export interface RunRecord {
  /** The command that ran: "train", "demo", or the page ("web"). */
  command: string;
  /** Where the data came from: a file name or "built-in seed data". */
  data: string;
  /** The seed of random starting parameters (absent: the fixture's). */
  seed?: number;
  table?: GradientTable;
  /** Extra settings to record. */
  extra?: Record<string, unknown>;
}

/**
 * The results document of a training run; `problem.params` holds the parameters to save (train
 * leaves the best ones there), `versions` the versions of the runtime, the app and the packages.
 */
export function resultsDocument(
  problem: Problem,
  settings: TrainSettings,
  run: RunRecord,
  outcome: TrainOutcome,
  versions: Record<string, string>,
  created: Date = new Date(),
): ResultsDocument {
  const { params, obs, solve } = problem;
  const iterations = outcome.history.length;
  const validation = validationSummary(outcome, problem.fit?.heldOut ?? 0);
  const resume = savedResume(outcome);
  return {
    format: RESULTS_FORMAT,
    format_version: 1,
    command: run.command,
    created: created.toISOString(),
    versions,
    settings: {
      model: params.kind,
      activation: activationSetting(params.spec),
      n: params.n,
      parameters: params.vector.length,
      data: run.data,
      times: obs.times,
      start: run.seed !== undefined ? `random, seed ${run.seed}` : "fixture values",
      optimizer: settings.optimizer,
      iters: settings.iters,
      lbfgs_iters: settings.optimizer === "adam+lbfgs" ? settings.lbfgsIters : undefined,
      lr: settings.lr,
      time_budget_s: settings.timeBudget,
      sensealg: settings.sensealg,
      solver: solve.solver.name,
      reltol: solve.reltol,
      abstol: solve.abstol,
      dt: solve.dt,
      ...(run.extra ?? {}),
    },
    training: {
      status: outcome.stopReason,
      message: outcome.message,
      iterations,
      initial_loss: outcome.initialLoss,
      final_loss: outcome.bestLoss,
      history: outcome.history,
      gradient_audits: outcome.audits,
      ...(outcome.bestPenalty !== undefined
        ? { final_data_loss: outcome.bestLoss - outcome.bestPenalty, final_penalty: outcome.bestPenalty }
        : {}),
      ...(validation !== undefined ? { validation } : {}),
    },
    timings: {
      wall_s: outcome.wall_s,
      gradient_median_ms: outcome.gradient_ms,
      gradient_evaluations: outcome.evaluations,
      iterations_per_s: iterations / outcome.wall_s,
    },
    model: params.spec,
    // The best parameters (train leaves them in params; a checkpoint's params hold the iterate).
    parameters:
      outcome.best.length === params.vector.length ? savedAt(params, outcome.best) : savedParameters(params),
    ...(run.table ? { gradient_table: run.table } : {}),
    ...(resume !== undefined ? { resume } : {}),
  };
}

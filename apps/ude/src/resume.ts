/**
 * The `resume` section of results.json (and of the checkpoints, which have the same format) and
 * reading a run back from it for `--resume`, without file access (results.ts reads the file):
 *
 *   resume { optimiser (stateToJSON of Adam's or L-BFGS's state), iterate (the point the next
 *            iteration starts from), best (the best point: the raw parameter vector, every digit,
 *            which `parameters` shows as P and layers), evaluations }
 *
 * Together with training.history, initial_loss, final_loss (the best objective), final_penalty
 * and gradient_audits, that is everything training.ts's `train` needs to continue the run so that
 * it follows the same curve as a run that never stopped (JSON numbers keep every float64 bit).
 */
import { InputFileError } from "./errors.js";
import type { AuditRecord, IterationRecord, ResumeState, TrainOutcome, TrainResume } from "./training.js";

export interface SavedResume extends ResumeState {
  best: number[];
}

/** The resume section of a run's outcome, or undefined when its optimiser state could not be saved. */
export function savedResume(outcome: TrainOutcome): SavedResume | undefined {
  if (outcome.resume === undefined) return undefined;
  return { ...outcome.resume, best: Array.from(outcome.best) };
}

/** How many numbers a resume section holds (its Float64Arrays, the iterate and the best point). */
export function resumeNumbers(r: SavedResume): number {
  const count = (v: unknown): number => {
    if (Array.isArray(v)) return v.reduce((s: number, x) => s + count(x), 0);
    if (v !== null && typeof v === "object")
      return Object.values(v).reduce((s: number, x) => s + count(x), 0);
    return typeof v === "number" ? 1 : 0;
  };
  return count(r.optimiser) + r.iterate.length + r.best.length;
}

const isNumbers = (x: unknown): x is number[] =>
  Array.isArray(x) && x.every((v) => typeof v === "number" && Number.isFinite(v));

/** JSON's null for a non-finite number (toJson writes NaN and ±Infinity as null). */
const numberOr = (x: unknown, fallback: number): number => (typeof x === "number" ? x : fallback);

/** The run saved in a results.json or checkpoint document, checked; `file` names it in messages. */
export function trainResumeFrom(doc: unknown, file: string): TrainResume {
  const fix =
    "Fix: pass a results.json or checkpoint.json written by `ude train` (or start from its parameters with --params).";
  const d = (doc ?? {}) as {
    format?: unknown;
    resume?: Partial<SavedResume>;
    training?: {
      history?: unknown;
      initial_loss?: unknown;
      final_loss?: unknown;
      final_penalty?: unknown;
      gradient_audits?: unknown;
    };
  };
  if (d.format !== "udekit-ude-results") {
    throw new InputFileError(
      `--resume "${file}" is not a results document (no format "udekit-ude-results"). ${fix}`,
    );
  }
  const r = d.resume;
  if (r === undefined || r === null) {
    throw new InputFileError(
      `--resume "${file}" holds no optimiser state (it was written by a version without --resume, or the run diverged to non-finite numbers). ${fix}`,
    );
  }
  const state = r.optimiser as { format?: unknown } | undefined;
  if (
    state?.format !== "udekit-optimiser-state" ||
    !isNumbers(r.iterate) ||
    !isNumbers(r.best) ||
    r.best.length !== r.iterate.length ||
    typeof r.evaluations !== "number"
  ) {
    throw new InputFileError(
      `--resume "${file}" has a damaged "resume" section (expected optimiser, iterate, best and evaluations). ${fix}`,
    );
  }
  const t = d.training ?? {};
  if (!Array.isArray(t.history)) {
    throw new InputFileError(`--resume "${file}" has no training.history. ${fix}`);
  }
  const history = (t.history as Record<string, unknown>[]).map((h) => {
    const record: IterationRecord = {
      iteration: h.iteration as number,
      phase: h.phase as IterationRecord["phase"],
      loss: numberOr(h.loss, Number.NaN),
      elapsed_s: numberOr(h.elapsed_s, 0),
    };
    if ("data_loss" in h) record.data_loss = numberOr(h.data_loss, Number.NaN);
    if ("penalty" in h) record.penalty = numberOr(h.penalty, Number.NaN);
    if ("validation_loss" in h) record.validation_loss = numberOr(h.validation_loss, Number.NaN);
    return record;
  });
  return {
    state: {
      optimiser: r.optimiser as ResumeState["optimiser"],
      iterate: r.iterate,
      evaluations: r.evaluations,
    },
    history,
    initialLoss: numberOr(t.initial_loss, Number.NaN),
    bestLoss: numberOr(t.final_loss, Number.POSITIVE_INFINITY),
    best: Float64Array.from(r.best),
    ...(typeof t.final_penalty === "number" ? { bestPenalty: t.final_penalty } : {}),
    audits: Array.isArray(t.gradient_audits) ? (t.gradient_audits as AuditRecord[]) : [],
  };
}

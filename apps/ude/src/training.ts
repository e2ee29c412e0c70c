/**
 * The training loop: Adam (Kingma & Ba, ICLR 2015) on the flat parameter vector, then
 * optionally L-BFGS (Liu & Nocedal 1989, with a strong-Wolfe line search), each iteration one
 * loss-and-gradient evaluation by the chosen sensitivity method (L-BFGS: one line search).
 *
 * The loop yields to the event loop after every iteration, so a SIGINT handler (interrupt.ts)
 * can ask it to stop there; it also stops at the iteration budget or the time budget (of which
 * Adam gets at most three quarters when L-BFGS follows, so both phases run). Whatever
 * happens, it returns everything computed so far: the loss history and the parameters with the
 * lowest loss seen.
 *
 * The objective is the data loss (fit.ts: weighted, missing and held-out values left out) plus
 * the L2/L1 penalty (regularisation.ts); with a hold-out, each iteration also records the
 * validation loss at the same parameters (validation.ts, a forward solve). A run can continue
 * where another stopped (`resume`): the optimiser's state (Adam's moments and step count, or
 * L-BFGS's iterate and memory pairs) is restored, so the continued run follows the same curve as
 * one that never stopped; `checkpointEvery` hands that state out every N iterations.
 */
import type { Tensor } from "@udekit/autodiff";
import {
  Adam,
  LBFGS,
  type LBFGSState,
  NonFiniteGradientError,
  type OptimiserState,
  type StateJSON,
  stateFromJSON,
  stateToJSON,
} from "@udekit/nn";
import { AdjointFailedError, GradientMismatchError } from "@udekit/ode";
import { OptionError } from "./errors.js";
import { formatLoss, formatMs, formatSeconds } from "./format.js";
import {
  describeAdjointFailure,
  describeFailure,
  lossAndGradient,
  median,
  type Problem,
} from "./gradients.js";
import type { MethodName, OptimizerName } from "./options.js";
import { addPenalty, penaltyFor, penaltyValue } from "./regularisation.js";
import { validationLoss } from "./validation.js";

export interface TrainSettings {
  optimizer: OptimizerName;
  /** Adam iterations (or L-BFGS iterations for optimizer "lbfgs"). */
  iters: number;
  /** L-BFGS iterations after Adam (optimizer "adam+lbfgs"). */
  lbfgsIters: number;
  /** Adam's learning rate. */
  lr: number;
  /** Wall-clock budget for the whole loop, seconds (Infinity: none). */
  timeBudget: number;
  sensealg: MethodName;
  /** L2 and L1 penalty weights (regularisation.ts); 0 or absent: none. */
  l2?: number;
  l1?: number;
  /** Hand a checkpoint to hooks.onCheckpoint every this many iterations (0 or absent: never). */
  checkpointEvery?: number;
}

export type Phase = "adam" | "lbfgs";

/** One completed iteration. */
export interface IterationRecord {
  iteration: number;
  phase: Phase;
  /**
   * The objective (data loss + penalty) at the parameters this iteration started from (Adam) or
   * reached (L-BFGS).
   */
  loss: number;
  /** Seconds since training started (a resumed run continues the count). */
  elapsed_s: number;
  /** With --l1/--l2: the data loss and the penalty, whose sum is `loss`. */
  data_loss?: number;
  penalty?: number;
  /** With --holdout: the loss over the held-out observations at the same parameters. */
  validation_loss?: number;
}

/** What the progress display is told after every iteration. */
export interface ProgressEvent {
  phase: Phase;
  iteration: number;
  /** Iterations planned in total (all phases). */
  total: number;
  loss: number;
  elapsed_s: number;
  itPerSec: number;
  /** Seconds left: the smaller of the iteration-based estimate and the remaining time budget. */
  eta_s: number;
  /** With --holdout: the validation loss at the same parameters. */
  validation?: number;
}

export type StopReason =
  | "completed"
  | "time budget"
  | "interrupted"
  | "converged"
  | "non-finite loss"
  | "gradient audit failed"
  /** A checkpoint written while training was still running. */
  | "running";

/** How often training audits its gradient (the first evaluation, then every AUDIT_EVERY-th). */
export const AUDIT_EVERY = 50;

/** One gradient audit: gᵀv against a forward-mode directional derivative (sensealg `verify`). */
export interface AuditRecord {
  evaluation: number;
  relativeError: number;
  threshold: number;
  ms: number;
}

/**
 * The closing line of a run: `Stopped: completed.` or `Stopped (converged): <why>.`, then the
 * loss before → after (with its change when both are finite), iterations and times.
 */
export function stopLine(o: TrainOutcome): string {
  const head = o.message ? `Stopped (${o.stopReason}): ${o.message}` : `Stopped: ${o.stopReason}.`;
  const parts: string[] = [];
  if (Number.isFinite(o.initialLoss) && Number.isFinite(o.bestLoss) && o.initialLoss > 0) {
    parts.push(`${((100 * (o.bestLoss - o.initialLoss)) / o.initialLoss).toFixed(1)}%`);
  }
  if (o.bestPenalty !== undefined && Number.isFinite(o.bestLoss)) {
    parts.push(`data ${formatLoss(o.bestLoss - o.bestPenalty)} + penalty ${formatLoss(o.bestPenalty)}`);
  }
  const change = parts.length > 0 ? ` (${parts.join("; ")})` : "";
  const iterations = o.history.length;
  const loss = Number.isFinite(o.bestLoss)
    ? `Loss ${formatLoss(o.initialLoss)} → ${formatLoss(o.bestLoss)}${change}`
    : "No finite loss";
  const perGradient = Number.isFinite(o.gradient_ms) ? ` (${formatMs(o.gradient_ms)} per gradient)` : "";
  return (
    `${head} ${loss} in ${iterations} iteration${iterations === 1 ? "" : "s"}, ` +
    `${formatSeconds(o.wall_s)}${perGradient}.`
  );
}

/** `Gradient audit: 3 checks (evaluations 1, 51, 101), largest relative difference 2.1e-7 (threshold 1e-3), 9 ms each.` */
export function auditLine(audits: readonly AuditRecord[]): string {
  const worst = audits.reduce((m, a) => Math.max(m, a.relativeError), 0);
  const ms = audits.reduce((m, a) => m + a.ms, 0) / audits.length;
  const at = audits.map((a) => a.evaluation).join(", ");
  return `Gradient audit: ${audits.length} check${audits.length === 1 ? "" : "s"} (evaluation${audits.length === 1 ? "" : "s"} ${at}), largest relative difference ${worst.toExponential(1)} (threshold ${audits[0].threshold.toExponential(0)}), ${formatMs(ms)} each.`;
}

/**
 * What a run needs to continue exactly where it stopped, besides its history and best point
 * (results.json keeps both; `resume` in results-schema.ts).
 */
export interface ResumeState {
  /** The optimiser's state (stateToJSON): Adam's (its moments, step count) or, once L-BFGS began, L-BFGS's. */
  optimiser: StateJSON;
  /** The point the next iteration starts from (every float64 digit). */
  iterate: number[];
  /** Loss-and-gradient evaluations so far (the gradient audit's schedule continues from it). */
  evaluations: number;
}

/** A run to continue: its state and what it recorded (from a results.json or checkpoint). */
export interface TrainResume {
  state: ResumeState;
  history: IterationRecord[];
  initialLoss: number;
  bestLoss: number;
  best: Float64Array;
  bestPenalty?: number;
  audits: AuditRecord[];
}

export interface TrainOutcome {
  initialLoss: number;
  /** Lowest objective seen (data loss + penalty); `best` holds its parameters. */
  bestLoss: number;
  best: Float64Array;
  /** The penalty at `best` (with --l1/--l2). */
  bestPenalty?: number;
  /** The state to continue from (--resume); absent when the optimiser's state holds non-finite numbers. */
  resume?: ResumeState;
  history: IterationRecord[];
  stopReason: StopReason;
  message: string;
  wall_s: number;
  /** Median milliseconds per loss-and-gradient evaluation (audited ones excluded). */
  gradient_ms: number;
  evaluations: number;
  /** The gradient audits run (none for the expm and direct methods, which have no audit). */
  audits: AuditRecord[];
}

export interface TrainHooks {
  onIteration?(event: ProgressEvent): void;
  /** True when the user asked to stop (checked after every iteration). */
  stopRequested?(): boolean;
  /** Receives the run so far every settings.checkpointEvery iterations (status "running"). */
  onCheckpoint?(snapshot: TrainOutcome): void;
}

/**
 * Refuses a resume that cannot continue the run: another parameter count, an optimiser that does
 * not have the saved state's phase, or no iteration left in the budget.
 */
export function checkResume(settings: TrainSettings, resume: TrainResume, parameters: number): void {
  const fix = "Fix: pass the options of the run that wrote it (--optimizer, --iters, --lbfgs-iters).";
  if (resume.state.iterate.length !== parameters) {
    throw new OptionError(
      `--resume: the saved run has ${resume.state.iterate.length} parameters but this model has ${parameters}. Fix: pass the --model (and --data) of the run that wrote it.`,
    );
  }
  const rule = (resume.state.optimiser.state as { rule?: string } | null)?.rule;
  if (rule === "LBFGS" && settings.optimizer === "adam") {
    throw new OptionError(
      `--resume: the saved run stopped during L-BFGS, which --optimizer adam does not run. ${fix}`,
    );
  }
  if (rule === "Adam" && settings.optimizer === "lbfgs") {
    throw new OptionError(
      `--resume: the saved run stopped during Adam, which --optimizer lbfgs does not run. ${fix} Or start L-BFGS from its parameters with --params.`,
    );
  }
  const { adamIters, lbfgsIters } = phaseBudgets(settings);
  const adamDone = resume.history.filter((h) => h.phase === "adam").length;
  const lbfgsDone = resume.history.filter((h) => h.phase === "lbfgs").length;
  const adamLeft = rule === "Adam" ? Math.max(0, adamIters - adamDone) : 0;
  if (adamLeft === 0 && lbfgsDone >= lbfgsIters) {
    throw new OptionError(
      `--resume: the saved run already did ${resume.history.length} iterations (${adamDone} Adam, ${lbfgsDone} L-BFGS), which the budget (--iters ${settings.iters}${settings.optimizer === "adam+lbfgs" ? `, --lbfgs-iters ${settings.lbfgsIters}` : ""}) already covers: budgets count the iterations done before. ` +
        "Fix: raise --iters (or --lbfgs-iters) to the total number of iterations wanted.",
    );
  }
}

/** Iterations per phase. */
function phaseBudgets(settings: TrainSettings): { adamIters: number; lbfgsIters: number } {
  const adamIters = settings.optimizer === "lbfgs" ? 0 : settings.iters;
  const lbfgsIters =
    settings.optimizer === "adam" ? 0 : settings.optimizer === "lbfgs" ? settings.iters : settings.lbfgsIters;
  return { adamIters, lbfgsIters };
}

/**
 * Lets the event loop run between iterations so a pending SIGINT reaches its handler. A 0 ms
 * timer, not setImmediate: the poll phase that dispatches signals runs before timers fire
 * again, while a setImmediate would resume the loop one iteration before the handler runs.
 */
/** Fraction of the time budget Adam may use when L-BFGS follows it. */
const ADAM_SHARE = 0.75;

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Trains problem.params in place (its vector ends at the best parameters seen); with `resume`,
 * continues that run (checkResume first).
 */
export async function train(
  problem: Problem,
  settings: TrainSettings,
  hooks: TrainHooks = {},
  resume?: TrainResume,
): Promise<TrainOutcome> {
  const { run, info } = lossAndGradient(problem, settings.sensealg);
  // The audited twin (the same method with `verify`): on the first evaluation and every
  // AUDIT_EVERY-th, gᵀv is checked against a forward-mode directional derivative.
  const canAudit = settings.sensealg !== "expm" && settings.sensealg !== "direct";
  const audited = canAudit
    ? lossAndGradient(problem, settings.sensealg, undefined, { verify: true })
    : undefined;
  const penalty = penaltyFor(problem.params, settings.l1 ?? 0, settings.l2 ?? 0);
  const validate = validationLoss(problem, settings.sensealg);
  const audits: AuditRecord[] = resume ? [...resume.audits] : [];
  let evaluations = resume?.state.evaluations ?? 0;
  let auditFailure: GradientMismatchError | undefined;
  /** The statistics of the last evaluation (the audited twin's when it ran). */
  let lastInfo = info;
  const x = problem.params.vector;
  const wrap = problem.params.tensor;
  const { adamIters, lbfgsIters } = phaseBudgets(settings);
  const total = adamIters + lbfgsIters;
  const history: IterationRecord[] = resume ? [...resume.history] : [];
  const evalTimes: number[] = [];
  const best = resume ? Float64Array.from(resume.best) : Float64Array.from(x);
  let bestLoss = resume?.bestLoss ?? Number.POSITIVE_INFINITY;
  let bestPenalty = resume?.bestPenalty;
  /** The resumed run's optimiser state, decoded; its rule says which phase continues. */
  const saved = resume ? stateFromJSON<OptimiserState | LBFGSState>(resume.state.optimiser) : undefined;
  if (resume) x.set(resume.state.iterate);
  const start = performance.now();
  /** Seconds of this call (the time budget's clock). */
  const elapsed = () => (performance.now() - start) / 1000;
  /** Seconds of the whole run, the resumed part included (the history's clock). */
  const offset = resume?.history.at(-1)?.elapsed_s ?? 0;

  /** The failure of the last evaluation, when @udekit/ode threw instead of returning NaN. */
  let adjointFailure: AdjointFailedError | undefined;

  /** Objective (data loss + penalty) and its gradient at v (written into g); tracks the best point. */
  const fg = (v: Float64Array, g: Float64Array): number => {
    if (v !== x) x.set(v);
    const t0 = performance.now();
    let value: Tensor;
    let grad: Tensor;
    const audit = audited !== undefined && evaluations % AUDIT_EVERY === 0 ? audited : undefined;
    lastInfo = (audit ?? { info }).info;
    evaluations++;
    try {
      [value, grad] = (audit ?? { run }).run(wrap());
    } catch (e) {
      if (e instanceof GradientMismatchError) {
        // A wrong gradient: stop rather than let the optimiser follow it.
        auditFailure = e;
        audits.push({
          evaluation: evaluations,
          relativeError: e.relativeError,
          threshold: e.threshold,
          ms: performance.now() - t0,
        });
        g.fill(Number.NaN);
        return Number.NaN;
      }
      // No gradient at these parameters: a non-finite loss for the optimisers, the reason kept.
      if (!(e instanceof AdjointFailedError)) throw e;
      evalTimes.push(performance.now() - t0);
      adjointFailure = e;
      g.fill(Number.NaN);
      return Number.NaN;
    }
    adjointFailure = undefined;
    if (audit !== undefined && audit.info.audit !== undefined) {
      const a = audit.info.audit;
      audits.push({
        evaluation: evaluations,
        relativeError: a.relativeError,
        threshold: a.threshold,
        ms: performance.now() - t0,
      });
    } else evalTimes.push(performance.now() - t0);
    g.set(grad.data);
    let f = value.item();
    const p = penalty !== undefined ? addPenalty(penalty, x, g) : undefined;
    if (p !== undefined) f += p;
    if (f < bestLoss) {
      bestLoss = f;
      bestPenalty = p;
      best.set(x);
    }
    return f;
  };

  let done = history.length;
  /** Records iteration `done + 1`: the objective `loss` at parameters `at`. */
  const report = (phase: Phase, loss: number, at: Float64Array) => {
    done++;
    const t = elapsed();
    const record: IterationRecord = { iteration: done, phase, loss, elapsed_s: offset + t };
    if (penalty !== undefined) {
      const p = penaltyValue(penalty, at);
      record.data_loss = loss - p;
      record.penalty = p;
    }
    if (validate !== undefined) record.validation_loss = validate(at);
    history.push(record);
    const itPerSec = (done - (resume?.history.length ?? 0)) / Math.max(t, 1e-9);
    const byIters = (total - done) / itPerSec;
    const byBudget = Math.max(0, settings.timeBudget - t);
    hooks.onIteration?.({
      phase,
      iteration: done,
      total,
      loss,
      elapsed_s: offset + t,
      itPerSec,
      eta_s: Math.min(byIters, byBudget),
      ...(record.validation_loss !== undefined ? { validation: record.validation_loss } : {}),
    });
  };
  const g = new Float64Array(x.length);
  let initialLoss = resume?.initialLoss ?? Number.NaN;
  /** The optimiser state of the running phase, for checkpoints and the final resume state. */
  let current: (() => { state: object; iterate: Float64Array }) | undefined;
  const resumeState = (): ResumeState | undefined => {
    if (current === undefined) return resume?.state;
    const { state, iterate } = current();
    try {
      return { optimiser: stateToJSON(state), iterate: Array.from(iterate), evaluations };
    } catch {
      // A state with NaN/Infinity (a diverged run) cannot be saved in JSON; nothing to resume.
      return undefined;
    }
  };
  const outcome = (stopReason: StopReason, message: string): TrainOutcome => {
    const state = resumeState();
    return {
      initialLoss,
      bestLoss,
      best: Float64Array.from(best),
      ...(bestPenalty !== undefined ? { bestPenalty } : {}),
      ...(state !== undefined ? { resume: state } : {}),
      history: [...history],
      stopReason,
      message,
      wall_s: offset + elapsed(),
      gradient_ms: evalTimes.length > 0 ? median(evalTimes) : Number.NaN,
      evaluations,
      audits: [...audits],
    };
  };
  const every = settings.checkpointEvery ?? 0;
  /** After a completed iteration: a checkpoint when one is due. */
  const checkpoint = () => {
    if (every > 0 && done % every === 0) hooks.onCheckpoint?.(outcome("running", ""));
  };
  /** Why a phase ended early, with a message; undefined when it used its whole budget. */
  type Stop = { reason: StopReason; message: string } | undefined;
  const checkStop = async (): Promise<Stop> => {
    await tick();
    if (hooks.stopRequested?.()) return { reason: "interrupted", message: "" };
    if (elapsed() >= settings.timeBudget) return { reason: "time budget", message: "" };
    return undefined;
  };

  /**
   * The stop for a loss or gradient that is not finite, worded from the solves' retcodes: at the
   * starting parameters no learning rate is to blame; after steps, a smaller one may help.
   */
  const nonFinite = (what: string, phase: string, iteration: number): Stop => {
    if (auditFailure !== undefined) {
      return {
        reason: "gradient audit failed",
        message: `${auditFailure.message} (at ${phase} iteration ${iteration}; the best parameters seen are kept)`,
      };
    }
    const afterSteps = done > 1;
    const why =
      adjointFailure !== undefined
        ? describeAdjointFailure(adjointFailure, afterSteps)
        : describeFailure(lastInfo, afterSteps);
    return {
      reason: "non-finite loss",
      message: afterSteps
        ? `${what} at ${phase} iteration ${iteration} (the best parameters seen are kept): ${why}.`
        : `${what} at the starting parameters: ${why}.`,
    };
  };

  const adamPhase = async (): Promise<Stop> => {
    const opt = Adam({ eta: settings.lr });
    const state = saved?.rule === "Adam" ? (saved as OptimiserState) : opt.init(x);
    current = () => ({ state, iterate: x });
    const first = history.filter((h) => h.phase === "adam").length;
    for (let i = first; i < adamIters; i++) {
      const f = fg(x, g);
      if (i === 0) initialLoss = f;
      report("adam", f, x);
      if (!Number.isFinite(f)) return nonFinite(`the loss is ${f}`, "Adam", i + 1);
      try {
        opt.update(state, x, g);
      } catch (e) {
        if (!(e instanceof NonFiniteGradientError)) throw e;
        return nonFinite("the gradient is not finite", "Adam", i + 1);
      }
      checkpoint();
      const stop = await checkStop();
      if (stop !== undefined) return stop;
      // Leave a quarter of the time budget to L-BFGS when it follows.
      if (lbfgsIters > 0 && elapsed() >= ADAM_SHARE * settings.timeBudget) return undefined;
    }
    return undefined;
  };

  const lbfgsPhase = async (): Promise<Stop> => {
    const opt = LBFGS({ maxIterations: lbfgsIters, gtol: 1e-10 });
    let state: ReturnType<typeof opt.init>;
    if (saved?.rule === "LBFGS") state = saved as LBFGSState;
    else {
      // Start from the best point Adam reached (its last step may have gone uphill).
      if (bestLoss < Number.POSITIVE_INFINITY) x.set(best);
      try {
        state = opt.init(x, fg);
      } catch (e) {
        if (!(e instanceof NonFiniteGradientError)) throw e;
        return nonFinite("the loss or its gradient is not finite", "L-BFGS", done + 1);
      }
    }
    current = () => ({ state, iterate: state.x });
    if (Number.isNaN(initialLoss)) initialLoss = state.f;
    const first = history.filter((h) => h.phase === "lbfgs").length;
    for (let i = first; i < lbfgsIters; i++) {
      const retcode = opt.step(state, fg);
      report("lbfgs", state.f, state.x);
      checkpoint();
      if (retcode === "Success") {
        return { reason: "converged", message: "the gradient norm fell below L-BFGS's tolerance." };
      }
      if (retcode === "Failure") {
        return {
          reason: "converged",
          message:
            "L-BFGS's line search found no further decrease, a local minimum at this solver tolerance.",
        };
      }
      const stop = await checkStop();
      if (stop !== undefined) return stop;
    }
    return undefined;
  };

  let stop: Stop;
  // Once L-BFGS has begun, a resumed run does not go back to Adam.
  if (adamIters > 0 && saved?.rule !== "LBFGS") stop = await adamPhase();
  if (stop === undefined && lbfgsIters > 0) stop = await lbfgsPhase();
  const result = outcome(stop?.reason ?? "completed", stop?.message ?? "");
  x.set(best);
  return result;
}

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
 */
import type { Tensor } from "@udekit/autodiff";
import { Adam, LBFGS, NonFiniteGradientError } from "@udekit/nn";
import { AdjointFailedError, GradientMismatchError } from "@udekit/ode";
import { formatLoss, formatMs, formatSeconds } from "./format.js";
import {
  describeAdjointFailure,
  describeFailure,
  lossAndGradient,
  median,
  type Problem,
} from "./gradients.js";
import type { MethodName, OptimizerName } from "./options.js";

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
}

export type Phase = "adam" | "lbfgs";

/** One completed iteration. */
export interface IterationRecord {
  iteration: number;
  phase: Phase;
  /** Loss at the parameters this iteration started from (Adam) or reached (L-BFGS). */
  loss: number;
  /** Seconds since training started. */
  elapsed_s: number;
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
}

export type StopReason =
  | "completed"
  | "time budget"
  | "interrupted"
  | "converged"
  | "non-finite loss"
  | "gradient audit failed";

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
  const change =
    Number.isFinite(o.initialLoss) && Number.isFinite(o.bestLoss) && o.initialLoss > 0
      ? ` (${((100 * (o.bestLoss - o.initialLoss)) / o.initialLoss).toFixed(1)}%)`
      : "";
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

export interface TrainOutcome {
  initialLoss: number;
  /** Lowest loss seen; `best` holds its parameters. */
  bestLoss: number;
  best: Float64Array;
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
}

/**
 * Lets the event loop run between iterations so a pending SIGINT reaches its handler. A 0 ms
 * timer, not setImmediate: the poll phase that dispatches signals runs before timers fire
 * again, while a setImmediate would resume the loop one iteration before the handler runs.
 */
/** Fraction of the time budget Adam may use when L-BFGS follows it. */
const ADAM_SHARE = 0.75;

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Trains problem.params in place (its vector ends at the best parameters seen). */
export async function train(
  problem: Problem,
  settings: TrainSettings,
  hooks: TrainHooks = {},
): Promise<TrainOutcome> {
  const { run, info } = lossAndGradient(problem, settings.sensealg);
  // The audited twin (the same method with `verify`): on the first evaluation and every
  // AUDIT_EVERY-th, gᵀv is checked against a forward-mode directional derivative.
  const canAudit = settings.sensealg !== "expm" && settings.sensealg !== "direct";
  const audited = canAudit
    ? lossAndGradient(problem, settings.sensealg, undefined, { verify: true })
    : undefined;
  const audits: AuditRecord[] = [];
  let evaluations = 0;
  let auditFailure: GradientMismatchError | undefined;
  /** The statistics of the last evaluation (the audited twin's when it ran). */
  let lastInfo = info;
  const x = problem.params.vector;
  const wrap = problem.params.tensor;
  const adamIters = settings.optimizer === "lbfgs" ? 0 : settings.iters;
  const lbfgsIters =
    settings.optimizer === "adam" ? 0 : settings.optimizer === "lbfgs" ? settings.iters : settings.lbfgsIters;
  const total = adamIters + lbfgsIters;
  const history: IterationRecord[] = [];
  const evalTimes: number[] = [];
  const best = Float64Array.from(x);
  let bestLoss = Number.POSITIVE_INFINITY;
  const start = performance.now();
  const elapsed = () => (performance.now() - start) / 1000;

  /** The failure of the last evaluation, when @udekit/ode threw instead of returning NaN. */
  let adjointFailure: AdjointFailedError | undefined;

  /** Loss and gradient at v (gradient written into g); tracks the best point. */
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
    const f = value.item();
    if (f < bestLoss) {
      bestLoss = f;
      best.set(x);
    }
    return f;
  };

  let done = 0;
  const report = (phase: Phase, loss: number) => {
    done++;
    const t = elapsed();
    history.push({ iteration: done, phase, loss, elapsed_s: t });
    const itPerSec = done / Math.max(t, 1e-9);
    const byIters = (total - done) / itPerSec;
    const byBudget = Math.max(0, settings.timeBudget - t);
    hooks.onIteration?.({
      phase,
      iteration: done,
      total,
      loss,
      elapsed_s: t,
      itPerSec,
      eta_s: Math.min(byIters, byBudget),
    });
  };
  const g = new Float64Array(x.length);
  let initialLoss = Number.NaN;
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
    const state = opt.init(x);
    for (let i = 0; i < adamIters; i++) {
      const f = fg(x, g);
      if (i === 0) initialLoss = f;
      report("adam", f);
      if (!Number.isFinite(f)) return nonFinite(`the loss is ${f}`, "Adam", i + 1);
      try {
        opt.update(state, x, g);
      } catch (e) {
        if (!(e instanceof NonFiniteGradientError)) throw e;
        return nonFinite("the gradient is not finite", "Adam", i + 1);
      }
      const stop = await checkStop();
      if (stop !== undefined) return stop;
      // Leave a quarter of the time budget to L-BFGS when it follows.
      if (lbfgsIters > 0 && elapsed() >= ADAM_SHARE * settings.timeBudget) return undefined;
    }
    return undefined;
  };

  const lbfgsPhase = async (): Promise<Stop> => {
    const opt = LBFGS({ maxIterations: lbfgsIters, gtol: 1e-10 });
    // Start from the best point Adam reached (its last step may have gone uphill).
    if (bestLoss < Number.POSITIVE_INFINITY) x.set(best);
    let state: ReturnType<typeof opt.init>;
    try {
      state = opt.init(x, fg);
    } catch (e) {
      if (!(e instanceof NonFiniteGradientError)) throw e;
      return nonFinite("the loss or its gradient is not finite", "L-BFGS", done + 1);
    }
    if (Number.isNaN(initialLoss)) initialLoss = state.f;
    for (let i = 0; i < lbfgsIters; i++) {
      const retcode = opt.step(state, fg);
      report("lbfgs", state.f);
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
  if (adamIters > 0) stop = await adamPhase();
  if (stop === undefined && lbfgsIters > 0) stop = await lbfgsPhase();
  const stopReason: StopReason = stop?.reason ?? "completed";
  const message = stop?.message ?? "";
  x.set(best);
  return {
    initialLoss,
    bestLoss,
    best: Float64Array.from(best),
    history,
    stopReason,
    message,
    wall_s: elapsed(),
    gradient_ms: evalTimes.length > 0 ? median(evalTimes) : Number.NaN,
    evaluations,
    audits,
  };
}

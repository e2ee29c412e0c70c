/**
 * The loss and its gradient by every method, timed: the continuous adjoints of @udekit/ode
 * (interpolating, with checkpointing, quadrature, backsolve), discretise-then-differentiate
 * (direct), forward sensitivities (forward), and for the linear model the closed form
 * u(t) = exp(A(P)·(t − t₀))·u₀ differentiated through the matrix exponential's Fréchet
 * derivative (expm, @udekit/linear-ode; Al-Mohy & Higham, SIAM J. Matrix Anal. Appl. 30(4),
 * 2009, and SIAM J. Sci. Comput. 33(2), 2011).
 *
 * Forward sensitivities cost one extra n-vector ODE per parameter (O(n·p) per right-hand side
 * with p = n² + 49 here): the 27 s of the original report. On a large problem they are measured
 * on the leading k-node blocks only, and reported as such: what was measured, nothing
 * extrapolated.
 */
import { diag, sub, sum, type Tensor, valueAndGrad } from "@udekit/autodiff";
import { solveLinearOde } from "@udekit/linear-ode";
import {
  AdjointFailedError,
  AdjointInstabilityError,
  BacksolveAdjoint,
  DirectBackprop,
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
  type SolveOdeInfo,
} from "@udekit/ode";
import { OptionError, RunError } from "./errors.js";
import { type FitTargets, fitLoss, fitTargets } from "./fit.js";
import { formatMs } from "./format.js";
import {
  constrainP,
  initialState,
  leadingBlock,
  type ModelParams,
  type Observations,
  predict,
  rhsFor,
  type SolveSettings,
} from "./model.js";
import { expmScope, hasClosedForm } from "./model-spec.js";
import type { MethodName } from "./options.js";

/** Display names, as in the literature and @udekit/ode. */
export const METHOD_LABELS: Readonly<Record<MethodName, string>> = {
  discrete: "DiscreteAdjoint",
  interpolating: "InterpolatingAdjoint",
  "interpolating-checkpointed": "InterpolatingAdjoint (checkpointing)",
  quadrature: "QuadratureAdjoint",
  backsolve: "BacksolveAdjoint",
  direct: "DirectBackprop",
  expm: "matrix exponential (expm + Fréchet derivative)",
  forward: "ForwardSensitivity",
};

/** Counts from one gradient evaluation. */
export interface GradientStats {
  retcode: string;
  forward_rhs?: number;
  forward_steps?: number;
  forward_rejected?: number;
  backward_rhs?: number;
  backward_vjp?: number;
  backward_steps?: number;
  tape_steps?: number;
}

export interface Timing {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  repeat: number;
}

/** One method's result on one problem. */
export interface GradientResult {
  /** True when a stop request ended the timed runs early (timing holds the runs done). */
  interrupted?: boolean;
  method: MethodName;
  n: number;
  ok: boolean;
  /** Why it failed (ok = false), e.g. BacksolveAdjoint's own instability report. */
  error?: string;
  loss: number;
  grad: Float64Array;
  timing: Timing;
  stats: GradientStats;
}

/** What a gradient run needs. */
export interface Problem {
  obs: Observations;
  params: ModelParams;
  solve: SolveSettings;
  /**
   * What the loss fits (weights, hold-out; fit.ts). Absent: every observed value with weight 1,
   * missing values (NaN) left out.
   */
  fit?: FitTargets;
}

/** The method's sensealg; `verify` adds the gradient audit (not available for direct). */
function sensealgFor(method: Exclude<MethodName, "expm">, verify = false): SensitivityAlgorithm {
  const audit = verify ? { verify: true } : {};
  switch (method) {
    case "discrete":
      return DiscreteAdjoint(audit);
    case "interpolating":
      return InterpolatingAdjoint(audit);
    case "interpolating-checkpointed":
      return InterpolatingAdjoint({ checkpointing: true, ...audit });
    case "quadrature":
      return QuadratureAdjoint(audit);
    case "backsolve":
      return BacksolveAdjoint(audit);
    case "direct":
      return DirectBackprop();
    case "forward":
      return ForwardSensitivity(audit);
  }
}

/**
 * The loss as a function of the flat parameters, with the observations weighted by `weights`
 * (fit.ts; undefined: the plain sum of squares): the closed form for expm, else a solve with `alg`
 * (none: a forward solve only, as the validation loss needs).
 */
export function lossFunction(
  problem: Problem,
  method: MethodName,
  f: (u: Tensor, p: Tensor, t: Tensor) => Tensor,
  data: Tensor,
  weights: Tensor | undefined,
  alg?: SensitivityAlgorithm,
  info?: SolveOdeInfo,
): (p: Tensor) => Tensor {
  const { obs, params, solve } = problem;
  if (method === "expm") {
    if (!hasClosedForm(params.spec)) {
      throw new OptionError(
        `the expm method applies only to ${expmScope(params.spec)}. Fix: pass --model linear, or choose another --method.`,
      );
    }
    const u0 = initialState(obs);
    const toP = constrainP(params.spec, params.n);
    // A(P) = P − diag(P·1) on the tape (P from θ by its constraint and mask); the states are
    // exp(A(P)·(t_k − t_0))·u0.
    return (theta: Tensor) => {
      const P = toP !== undefined ? toP(theta) : theta;
      return fitLoss(solveLinearOde(sub(P, diag(sum(P, 1))), u0, obs.times), data, weights);
    };
  }
  return (p: Tensor) => fitLoss(predict(f, p, obs, solve, alg, info), data, weights);
}

/** A loss-and-gradient function of the flat parameters for one method, plus where its counts land. */
export function lossAndGradient(
  problem: Problem,
  method: MethodName,
  f = rhsFor(problem.params),
  { verify = false } = {},
): { run: (p: Tensor) => [Tensor, Tensor]; info: SolveOdeInfo } {
  const { data, train: weights } = problem.fit ?? fitTargets(problem.obs);
  const info: SolveOdeInfo = {};
  const alg = method === "expm" ? undefined : sensealgFor(method, verify);
  const run = valueAndGrad(lossFunction(problem, method, f, data, weights, alg, info)) as (
    p: Tensor,
  ) => [Tensor, Tensor];
  return { run, info };
}

function statsOf(info: SolveOdeInfo, method: MethodName): GradientStats {
  const s: GradientStats = { retcode: info.backward?.retcode ?? info.retcode ?? "Success" };
  if (info.forward) {
    s.forward_rhs = info.forward.rhsEvals;
    s.forward_steps = info.forward.naccept;
    s.forward_rejected = info.forward.nreject;
  }
  if (info.backward) {
    s.backward_rhs = info.backward.rhsEvals;
    s.backward_vjp = info.backward.vjpEvals;
    s.backward_steps = info.backward.naccept;
  }
  if (method === "direct" && info.tapeSteps !== undefined) s.tape_steps = info.tapeSteps;
  return s;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function timingOf(samples: readonly number[]): Timing {
  if (samples.length === 0) {
    return { median_ms: Number.NaN, min_ms: Number.NaN, max_ms: Number.NaN, repeat: 0 };
  }
  return {
    median_ms: median(samples),
    min_ms: Math.min(...samples),
    max_ms: Math.max(...samples),
    repeat: samples.length,
  };
}

/**
 * Why a loss-and-gradient evaluation gave no finite result, worded from the solves' retcodes: a
 * failed forward solve, a failed backward pass, or (both succeeded) an overflow of the numbers
 * themselves — which no solver setting or learning rate cures. One sentence (without its final
 * full stop) ending in a fix; `afterSteps`: the optimiser has moved the parameters, so a smaller
 * step is the first thing to try.
 */
export function describeFailure(info: SolveOdeInfo, afterSteps = false): string {
  const clause = (m: string | undefined) => (m ?? "").trim().replace(/\.$/, "");
  const stepFix = "lower --lr (smaller steps keep the parameters where the solve works) or tighten --reltol";
  const solveFix = afterSteps
    ? stepFix
    : "try a stiff solver (--solver Rodas4) or looser --reltol/--abstol, or start from other parameters (--params, --seed)";
  if (info.retcode !== undefined && info.retcode !== "Success" && info.retcode !== "Default") {
    const message = clause(info.message).replace(/^the forward solve failed: /, "");
    return `the forward ODE solve failed (retcode ${info.retcode}: ${message}). Fix: ${solveFix}`;
  }
  const b = info.backward;
  if (b !== undefined && b.retcode !== "Success" && b.retcode !== "Default") {
    return `the backward (adjoint) solve failed (retcode ${b.retcode}: ${clause(b.message)}). Fix: ${solveFix}`;
  }
  return (
    "the solves reached the end of the time span, but the loss or its gradient overflowed to Infinity or NaN " +
    "(the states, the data or the parameters are too large for double precision). " +
    `Fix: ${afterSteps ? stepFix : "rescale the data so its values are near 1, or start from smaller parameters"}`
  );
}

/**
 * A gradient pass that @udekit/ode stopped with AdjointFailedError (a backward pass that did not
 * finish, or a non-finite λ or p̄), worded like describeFailure: the library's own advice names
 * its API options, so it is replaced by the command-line ones.
 */
export function describeAdjointFailure(e: AdjointFailedError, afterSteps = false): string {
  const what = e.message
    .replace(/^solveOde: /, "")
    .replace(/\s*Try: [\s\S]*$/, "")
    .trim()
    .replace(/\.$/, "");
  return `${what}. Fix: ${
    afterSteps
      ? "lower --lr (smaller steps keep the parameters where the solve works) or tighten --reltol"
      : "tighten --reltol/--abstol, try a stiff solver (--solver Rodas4) or another --sensealg, or rescale the data or the starting parameters"
  }`;
}

/** Progress and stop requests for measureGradient. */
export interface MeasureHooks {
  /** Receives a line after every run that took PROGRESS_MS (10 s) or more. */
  log?: (message: string) => void;
  /** True when the user asked to stop; checked between runs. */
  stop?: () => boolean;
  /** Overrides PROGRESS_MS and LONG_RUN_MS (tests). */
  progressMs?: number;
  longRunMs?: number;
}

/**
 * A run at least this long gets a progress line. Not lower: the first run of the UDE (tracing
 * and compiling its right-hand side) takes 2–3 s on a busy machine, and --json output should not
 * be accompanied by chatter on stderr for ordinary runs.
 */
export const PROGRESS_MS = 10_000;
/**
 * A warm-up run at least this long is timed and counts as the first timed run: tracing and
 * compiling the right-hand side take milliseconds, under 1 % of it, and repeating a run of
 * minutes only to discard it wastes those minutes.
 */
export const LONG_RUN_MS = 10_000;

/** Lets the event loop run (a pending SIGINT reaches its handler); see training.ts. */
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Loss and gradient by one method, run once untimed (tracing and compiling the right-hand
 * side; timed when it is long, LONG_RUN_MS) and then until `repeat` runs are timed. A method
 * that reports its own failure (BacksolveAdjoint's AdjointInstabilityError, a failed solve)
 * gives ok = false and the reason. Between runs it yields to the event loop and stops early
 * (interrupted = true, the runs timed so far) when hooks.stop says so.
 */
export async function measureGradient(
  problem: Problem,
  method: MethodName,
  repeat: number,
  hooks: MeasureHooks = {},
): Promise<GradientResult> {
  const { run, info } = lossAndGradient(problem, method);
  const p = problem.params.tensor();
  const n = problem.params.n;
  const samples: number[] = [];
  let loss = Number.NaN;
  let grad = new Float64Array(p.size).fill(Number.NaN);
  let interrupted = false;
  for (let r = 0; r === 0 || samples.length < repeat; r++) {
    if (r > 0) {
      await tick();
      if (hooks.stop?.()) {
        interrupted = true;
        break;
      }
    }
    const t0 = performance.now();
    try {
      const [value, g] = run(p);
      loss = value.item();
      grad = Float64Array.from(g.data);
    } catch (e) {
      if (e instanceof AdjointInstabilityError) {
        samples.push(performance.now() - t0);
        return {
          method,
          n,
          ok: false,
          error: `${e.name}: ${e.message}`,
          loss,
          grad,
          timing: timingOf(samples),
          stats: { ...statsOf(info, method), retcode: "AdjointInstability" },
        };
      }
      if (e instanceof AdjointFailedError) {
        samples.push(performance.now() - t0);
        return {
          method,
          n,
          ok: false,
          error: describeAdjointFailure(e),
          loss: Number.NaN,
          grad,
          timing: timingOf(samples),
          stats: { ...statsOf(info, method), retcode: e.retcode },
        };
      }
      throw e;
    }
    const ms = performance.now() - t0;
    const warmUp = r === 0;
    const timed = !warmUp || (ms >= (hooks.longRunMs ?? LONG_RUN_MS) && repeat > 0);
    if (timed) samples.push(ms);
    if (ms >= (hooks.progressMs ?? PROGRESS_MS)) {
      hooks.log?.(
        warmUp
          ? `    warm-up run: ${formatMs(ms)}${timed ? ` (long enough to count as timed run 1 of ${repeat})` : ""}`
          : `    run ${samples.length} of ${repeat}: ${formatMs(ms)}`,
      );
    }
    if (repeat === 0) break;
  }
  const stats = statsOf(info, method);
  const finite = Number.isFinite(loss) && grad.every(Number.isFinite);
  return {
    method,
    n,
    ok: finite && (stats.retcode === "Success" || stats.retcode === "Default"),
    ...(finite ? {} : { error: describeFailure(info) }),
    loss,
    grad,
    timing: timingOf(samples),
    stats,
    ...(interrupted ? { interrupted } : {}),
  };
}

/**
 * ‖g − ref‖₂ / max(‖g‖₂, ‖ref‖₂): the difference relative to the larger of the two gradients,
 * so it stays meaningful near an optimum where the reference itself is almost zero (divided by
 * ‖ref‖ alone, two gradients of 1e-7 that disagree read as 500). 0 when both are zero; at most 2.
 */
export function relativeDifference(g: Float64Array, ref: Float64Array): number {
  // Scaled sums of squares (LAPACK's dnrm2 idea), so gradients of 1e200 do not overflow.
  const scale = Math.max(maxAbs(g), maxAbs(ref));
  if (scale === 0) return 0;
  let d = 0;
  let sg = 0;
  let sr = 0;
  for (let i = 0; i < g.length; i++) {
    d += ((g[i] - ref[i]) / scale) ** 2;
    sg += (g[i] / scale) ** 2;
    sr += (ref[i] / scale) ** 2;
  }
  return Math.sqrt(d) / Math.sqrt(Math.max(sg, sr));
}

/** max |x_i|. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** ‖x‖₂ without overflow or underflow of the squares. */
export function norm2(x: ArrayLike<number>): number {
  const scale = maxAbs(x);
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] / scale) ** 2;
  return scale * Math.sqrt(s);
}

/**
 * ForwardSensitivity measured on the leading k-node blocks of a problem too large to run it on
 * in seconds. Only what was measured: no extrapolation to the full size (issue #21: a power law
 * fitted on the blocks predicted 5–13 s at n = 100, where --forward-full measured 151.7 s; at
 * full size the n × p sensitivity matrix leaves the cache, which no fit on small blocks sees).
 */
export interface ForwardBlocks {
  /** The full problem size, at which forward mode was not run. */
  n: number;
  /** Measured leading-block sizes and their fastest time per gradient. */
  measured: { n: number; ms: number; forward_rhs?: number }[];
}

export async function forwardBlocks(
  problem: Problem,
  sizes: readonly number[],
  repeat: number,
  hooks: MeasureHooks = {},
): Promise<ForwardBlocks & { interrupted?: boolean }> {
  const measured: ForwardBlocks["measured"] = [];
  for (const k of sizes) {
    const [obs, params] = leadingBlock(problem.obs, problem.params, k);
    const r = await measureGradient({ obs, params, solve: problem.solve }, "forward", repeat, hooks);
    if (r.interrupted) return { n: problem.params.n, measured, interrupted: true };
    if (!r.ok) throw new RunError(`ForwardSensitivity failed on the leading ${k}-node block: ${r.error}`);
    // The fastest run: on a shared machine the minimum is the least disturbed measurement.
    measured.push({ n: k, ms: r.timing.min_ms, forward_rhs: r.stats.forward_rhs });
  }
  return { n: problem.params.n, measured };
}

/**
 * Default leading-block sizes for ForwardSensitivity: four multiples of 4 at 40, 60, 80 and
 * 100 % of min(n − 1, 40) — large enough that the O(n⁴)-per-step work dominates fixed overheads
 * (below about 16 nodes it does not), small enough to take seconds, so the growth shows.
 */
export function defaultForwardSizes(n: number): number[] {
  const top = Math.min(40, 4 * Math.floor((n - 1) / 4));
  const sizes = [0.4, 0.6, 0.8, 1].map((f) => 4 * Math.max(1, Math.round((f * top) / 4)));
  return [...new Set(sizes)];
}

/**
 * The loss and its gradient by every method, timed: the continuous adjoints of @udekit/ode
 * (interpolating, with checkpointing, quadrature, backsolve), discretise-then-differentiate
 * (direct), forward sensitivities (forward), and for the linear model the closed form
 * u(t) = exp(A(P)·(t − t₀))·u₀ differentiated through the matrix exponential's Fréchet
 * derivative (expm, @udekit/linear-ode; Al-Mohy & Higham, SIAM J. Matrix Anal. Appl. 30(4),
 * 2009, and SIAM J. Sci. Comput. 33(2), 2011).
 *
 * Forward sensitivities cost one extra n-vector ODE per parameter (O(n·p) per right-hand side
 * with p = n² + 49 here): the 27 s of the original report. They are measured on the leading
 * k-node blocks of the problem, and the cost exponent fitted on log-log axes is extrapolated to
 * the full size, labelled as such.
 */
import { diag, sub, sum, type Tensor, valueAndGrad } from "@udekit/autodiff";
import { solveLinearOde } from "@udekit/linear-ode";
import {
  AdjointInstabilityError,
  BacksolveAdjoint,
  DirectBackprop,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
  type SolveOdeInfo,
} from "@udekit/ode";
import { OptionError, RunError } from "./errors.js";
import {
  dataTensor,
  initialState,
  leadingBlock,
  type ModelParams,
  type Observations,
  predict,
  rhsFor,
  type SolveSettings,
  sumSquares,
} from "./model.js";
import type { MethodName } from "./options.js";

/** Display names, as in the literature and @udekit/ode. */
export const METHOD_LABELS: Readonly<Record<MethodName, string>> = {
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
}

function sensealgFor(method: Exclude<MethodName, "expm">): SensitivityAlgorithm {
  switch (method) {
    case "interpolating":
      return InterpolatingAdjoint();
    case "interpolating-checkpointed":
      return InterpolatingAdjoint({ checkpointing: true });
    case "quadrature":
      return QuadratureAdjoint();
    case "backsolve":
      return BacksolveAdjoint();
    case "direct":
      return DirectBackprop();
    case "forward":
      return ForwardSensitivity();
  }
}

/** A loss-and-gradient function of the flat parameters for one method, plus where its counts land. */
export function lossAndGradient(
  problem: Problem,
  method: MethodName,
  f = rhsFor(problem.params),
): { run: (p: Tensor) => [Tensor, Tensor]; info: SolveOdeInfo } {
  const { obs, params, solve } = problem;
  const data = dataTensor(obs);
  const info: SolveOdeInfo = {};
  if (method === "expm") {
    if (params.kind !== "linear") {
      throw new OptionError(
        "the expm method applies only to the linear model (the UDE's net makes the ODE nonlinear). Fix: pass --model linear, or choose another --method.",
      );
    }
    const u0 = initialState(obs);
    // A(P) = P − diag(P·1) on the tape; the states are exp(A(P)·(t_k − t_0))·u0.
    const run = valueAndGrad((P: Tensor) =>
      sumSquares(solveLinearOde(sub(P, diag(sum(P, 1))), u0, obs.times), data),
    ) as (p: Tensor) => [Tensor, Tensor];
    return { run, info };
  }
  const alg = sensealgFor(method);
  const run = valueAndGrad((p: Tensor) => sumSquares(predict(f, p, obs, solve, alg, info), data)) as (
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
  return {
    median_ms: median(samples),
    min_ms: Math.min(...samples),
    max_ms: Math.max(...samples),
    repeat: samples.length,
  };
}

/**
 * Loss and gradient by one method, run once untimed (tracing and compiling the right-hand
 * side) and then `repeat` times timed. A method that reports its own failure (BacksolveAdjoint's
 * AdjointInstabilityError, a failed solve) gives ok = false and the message.
 */
export function measureGradient(problem: Problem, method: MethodName, repeat: number): GradientResult {
  const { run, info } = lossAndGradient(problem, method);
  const p = problem.params.tensor();
  const n = problem.params.n;
  const samples: number[] = [];
  let loss = Number.NaN;
  let grad = new Float64Array(p.size).fill(Number.NaN);
  for (let r = 0; r <= repeat; r++) {
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
      throw e;
    }
    if (r > 0) samples.push(performance.now() - t0);
  }
  const stats = statsOf(info, method);
  const finite = Number.isFinite(loss) && grad.every(Number.isFinite);
  return {
    method,
    n,
    ok: finite && (stats.retcode === "Success" || stats.retcode === "Default"),
    ...(finite
      ? {}
      : { error: `the solve failed (${info.backward?.message || info.message || stats.retcode})` }),
    loss,
    grad,
    timing: timingOf(samples),
    stats,
  };
}

/** ‖g − ref‖₂ / ‖ref‖₂. */
export function relativeDifference(g: Float64Array, ref: Float64Array): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < g.length; i++) {
    d += (g[i] - ref[i]) ** 2;
    s += ref[i] ** 2;
  }
  return Math.sqrt(d / s);
}

/** Forward sensitivities measured at reduced sizes and extrapolated to the full one. */
export interface ForwardExtrapolation {
  /** Measured leading-block sizes and their fastest time per gradient. */
  measured: { n: number; ms: number; forward_rhs?: number }[];
  /** Fitted cost exponent k of time ∝ n^k (least squares on log-log axes). */
  exponent: number;
  /** The extrapolated time per gradient at the full size (not measured). */
  n: number;
  extrapolated_ms: number;
}

/** Fits log t = a + k·log n by least squares; returns k and the prediction at `at`. */
export function fitPowerLaw(ns: readonly number[], ts: readonly number[], at: number): [number, number] {
  const xs = ns.map(Math.log);
  const ys = ts.map(Math.log);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const k = sxy / sxx;
  return [k, Math.exp(my + k * (Math.log(at) - mx))];
}

export function forwardExtrapolation(
  problem: Problem,
  sizes: readonly number[],
  repeat: number,
): ForwardExtrapolation {
  const measured = sizes.map((k) => {
    const [obs, params] = leadingBlock(problem.obs, problem.params, k);
    const r = measureGradient({ obs, params, solve: problem.solve }, "forward", repeat);
    if (!r.ok) throw new RunError(`ForwardSensitivity failed on the leading ${k}-node block: ${r.error}`);
    // The fastest run: on a shared machine the minimum is the least disturbed measurement.
    return { n: k, ms: r.timing.min_ms, forward_rhs: r.stats.forward_rhs };
  });
  const n = problem.params.n;
  const [exponent, extrapolated] = fitPowerLaw(
    measured.map((m) => m.n),
    measured.map((m) => m.ms),
    n,
  );
  return { measured, exponent, n, extrapolated_ms: extrapolated };
}

/**
 * Default reduced sizes for ForwardSensitivity: four multiples of 4 at 40, 60, 80 and 100 % of
 * min(n − 1, 40) — large enough that the O(n⁴)-per-step work dominates fixed overheads (below
 * about 16 nodes it does not, and the fitted exponent comes out too small), small enough to
 * take seconds.
 */
export function defaultForwardSizes(n: number): number[] {
  const top = Math.min(40, 4 * Math.floor((n - 1) / 4));
  const sizes = [0.4, 0.6, 0.8, 1].map((f) => 4 * Math.max(1, Math.round((f * top) / 4)));
  return [...new Set(sizes)];
}

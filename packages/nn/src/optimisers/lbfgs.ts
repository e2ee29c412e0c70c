/**
 * L-BFGS (Liu & Nocedal, "On the limited memory BFGS method for large scale optimization",
 * Math. Programming 45, 1989; Nocedal & Wright, "Numerical Optimization", 2nd ed., Algorithm 7.4
 * (two-loop recursion) and 7.5 (the method), with H₀ = γ·I, γ = sᵀy / yᵀy (eq. 7.20)), with the
 * strong-Wolfe line search of line-search.ts.
 *
 * Unlike the first-order rules, L-BFGS needs the objective itself (the line search evaluates it),
 * so its interface is a function-and-gradient callback `fg(x, g) → f` that writes ∇f(x) into g:
 *   minimize(fg, x0, options)        — the whole run; returns x, f, retcode, counts
 *   const opt = LBFGS(options); const state = opt.init(x0, fg); opt.step(state, fg); opt.run(state, fg)
 *                                    — step by step, with a state that stateToJSON/stateFromJSON
 *                                      round-trip so a run can resume identically.
 *   initAsync / stepAsync / runAsync — the same iterations with `fg(x, g) → Promise<f>` (an
 *                                      objective evaluated elsewhere, e.g. on a worker pool);
 *                                      bit-for-bit the iterates of the synchronous methods.
 * Outcomes are retcodes (SciML names), never throws: "Success" (‖∇f‖∞ ≤ gtol or the relative
 * decrease of f ≤ ftol), "MaxIters", "Failure" (no step satisfied sufficient decrease).
 * A non-finite f or gradient at x0 is bad input and throws NonFiniteGradientError.
 *
 * Cost per iteration: one line search (usually 1 evaluation once the memory is warm) plus
 * 4·m·n flops for the two loops. Memory: 2·m·n numbers.
 */
import { axpy, dot, scale } from "@udekit/kernels";
import { NonFiniteGradientError, OptimiserError } from "../errors.js";
import {
  type AsyncObjectiveGradient,
  drive,
  driveAsync,
  type Evaluations,
  type LineSearchResult,
  type ObjectiveGradient,
  strongWolfeSearch,
} from "./line-search.js";
import { checkHyper, checkOptionNames } from "./optimiser.js";

export type { AsyncObjectiveGradient, ObjectiveGradient } from "./line-search.js";

export interface LBFGSOptions {
  /** Number of (s, y) pairs kept. Default 10. */
  readonly memory?: number;
  /** Stop when ‖∇f‖∞ ≤ gtol. Default 1e-8. */
  readonly gtol?: number;
  /** Stop when (f_prev − f) / max(|f_prev|, |f|, 1) ≤ ftol. Default 0 (off). */
  readonly ftol?: number;
  /** Iteration budget of `run`/`minimize`. Default 1000. */
  readonly maxIterations?: number;
  /** Wolfe constants. Defaults c1 = 1e-4, c2 = 0.9 (N&W §3.1). */
  readonly c1?: number;
  readonly c2?: number;
  /** Function evaluations per line search. Default 30. */
  readonly maxLineSearch?: number;
}

const LBFGS_OPTIONS = ["memory", "gtol", "ftol", "maxIterations", "c1", "c2", "maxLineSearch"] as const;

/** L-BFGS state: the iterate, its value and gradient, and the ring buffer of (s, y) pairs. */
export interface LBFGSState {
  readonly rule: "LBFGS";
  readonly x: Float64Array;
  readonly g: Float64Array;
  f: number;
  /** The last accepted step and gradient change, `count` of them, oldest at `head`. */
  readonly S: Float64Array[];
  readonly Y: Float64Array[];
  readonly rho: Float64Array;
  count: number;
  head: number;
  iteration: number;
  evaluations: number;
  /** Relative decrease of f in the last iteration (Infinity before the first). */
  lastDecrease: number;
}

export type LBFGSRetcode = "Default" | "Success" | "MaxIters" | "Failure";

export interface LBFGSResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly gradNorm: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly retcode: LBFGSRetcode;
  readonly message: string;
  readonly state: LBFGSState;
}

/** Scratch of one state, kept out of the serialised state. */
interface Work {
  d: Float64Array;
  xTrial: Float64Array;
  gTrial: Float64Array;
  alpha: Float64Array;
  search: LineSearchResult;
}
const workOf = new WeakMap<LBFGSState, Work>();

function work(state: LBFGSState): Work {
  let w = workOf.get(state);
  if (w === undefined) {
    const n = state.x.length;
    w = {
      d: new Float64Array(n),
      xTrial: new Float64Array(n),
      gTrial: new Float64Array(n),
      alpha: new Float64Array(state.S.length),
      search: { ok: false, wolfe: false, alpha: 0, f: 0, evaluations: 0 },
    };
    workOf.set(state, w);
  }
  return w;
}

function infNorm(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

/** The L-BFGS method; see the file header. */
export function LBFGS(options: LBFGSOptions = {}) {
  checkOptionNames("LBFGS", options, LBFGS_OPTIONS, false);
  const memory = options.memory ?? 10;
  if (!Number.isInteger(memory) || memory < 1) {
    throw new OptimiserError(
      `LBFGS: memory = ${memory}; expected an integer ≥ 1. Fix: pass e.g. memory: 10.`,
    );
  }
  const gtol = checkHyper(
    "LBFGS",
    "gtol",
    options.gtol ?? 1e-8,
    0,
    Number.POSITIVE_INFINITY,
    "pass gtol ≥ 0",
  );
  const ftol = checkHyper("LBFGS", "ftol", options.ftol ?? 0, 0, 1, "pass 0 ≤ ftol < 1");
  const c1 = checkHyper(
    "LBFGS",
    "c1",
    options.c1 ?? 1e-4,
    Number.MIN_VALUE,
    0.5,
    "pass 0 < c1 < c2 < 1 (1e-4)",
  );
  const c2 = checkHyper("LBFGS", "c2", options.c2 ?? 0.9, c1, 1 - Number.EPSILON, "pass c1 < c2 < 1 (0.9)");
  const maxIterations = options.maxIterations ?? 1000;
  const maxLineSearch = options.maxLineSearch ?? 30;
  const search = { c1, c2, maxEvaluations: maxLineSearch, alphaMax: 1e10 };

  const converged = (state: LBFGSState): boolean =>
    infNorm(state.g) <= gtol || (ftol > 0 && state.lastDecrease <= ftol);

  /** Two-loop recursion (N&W Alg. 7.4): d = −H·g. */
  const direction = (state: LBFGSState, w: Work): void => {
    const n = state.x.length;
    const { S, Y, rho, count, head } = state;
    const d = w.d;
    d.set(state.g);
    for (let k = count - 1; k >= 0; k--) {
      const i = (head + k) % memory;
      const a = rho[i] * dot(n, S[i], d);
      w.alpha[i] = a;
      axpy(n, -a, Y[i], d);
    }
    if (count > 0) {
      const newest = (head + count - 1) % memory;
      scale(n, dot(n, S[newest], Y[newest]) / dot(n, Y[newest], Y[newest]), d);
    }
    for (let k = 0; k < count; k++) {
      const i = (head + k) % memory;
      const b = rho[i] * dot(n, Y[i], d);
      axpy(n, w.alpha[i] - b, S[i], d);
    }
    scale(n, -1, d);
  };

  const optimiser = {
    name: "LBFGS" as const,
    hyperparameters: { memory, gtol, ftol, c1, c2, maxIterations, maxLineSearch },

    /** Evaluates f and ∇f at a copy of x0 and returns a fresh state. */
    init(x0: Float64Array, fg: ObjectiveGradient): LBFGSState {
      return drive(initSteps(x0), fg);
    },

    /** init with an objective that answers by a promise. */
    initAsync(x0: Float64Array, fg: AsyncObjectiveGradient): Promise<LBFGSState> {
      return driveAsync(initSteps(x0), fg);
    },

    /** One iteration, in place on `state`. Returns "Default" to continue, else the final retcode. */
    step(state: LBFGSState, fg: ObjectiveGradient): LBFGSRetcode {
      return drive(stepSteps(state), fg);
    },

    /** step with an objective that answers by a promise. */
    stepAsync(state: LBFGSState, fg: AsyncObjectiveGradient): Promise<LBFGSRetcode> {
      return driveAsync(stepSteps(state), fg);
    },

    /** Iterates until convergence, failure, or `maxIterations` iterations in total. */
    run(state: LBFGSState, fg: ObjectiveGradient, onIteration?: (state: LBFGSState) => void): LBFGSResult {
      let retcode: LBFGSRetcode = converged(state) ? "Success" : "Default";
      while (retcode === "Default") {
        if (state.iteration >= maxIterations) {
          retcode = "MaxIters";
          break;
        }
        retcode = this.step(state, fg);
        onIteration?.(state);
      }
      return result(state, retcode);
    },

    /** run with an objective that answers by a promise. */
    async runAsync(
      state: LBFGSState,
      fg: AsyncObjectiveGradient,
      onIteration?: (state: LBFGSState) => void,
    ): Promise<LBFGSResult> {
      let retcode: LBFGSRetcode = converged(state) ? "Success" : "Default";
      while (retcode === "Default") {
        if (state.iteration >= maxIterations) {
          retcode = "MaxIters";
          break;
        }
        retcode = await this.stepAsync(state, fg);
        onIteration?.(state);
      }
      return result(state, retcode);
    },
  };

  function* initSteps(x0: Float64Array): Evaluations<LBFGSState> {
    const n = x0.length;
    const state: LBFGSState = {
      rule: "LBFGS",
      x: Float64Array.from(x0),
      g: new Float64Array(n),
      f: 0,
      S: Array.from({ length: memory }, () => new Float64Array(n)),
      Y: Array.from({ length: memory }, () => new Float64Array(n)),
      rho: new Float64Array(memory),
      count: 0,
      head: 0,
      iteration: 0,
      evaluations: 1,
      lastDecrease: Number.POSITIVE_INFINITY,
    };
    state.f = yield { x: state.x, g: state.g };
    if (!Number.isFinite(state.f)) {
      throw new NonFiniteGradientError(-1, state.f, "LBFGS.init: the objective at x0");
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(state.g[i])) throw new NonFiniteGradientError(i, state.g[i], "LBFGS.init at x0");
    }
    return state;
  }

  function* stepSteps(state: LBFGSState): Evaluations<LBFGSRetcode> {
    if (state?.rule !== "LBFGS" || state.S.length !== memory) {
      throw new OptimiserError(
        `LBFGS.step: the state was not made by an LBFGS with memory ${memory}. ` +
          "Fix: create it with this optimiser's init (or restore it with stateFromJSON and the same options).",
      );
    }
    if (converged(state)) return "Success";
    const n = state.x.length;
    const w = work(state);
    direction(state, w);
    let slope = dot(n, state.g, w.d);
    if (!(slope < 0)) {
      // Not a descent direction (stale curvature pairs): restart from steepest descent.
      state.count = 0;
      w.d.set(state.g);
      scale(n, -1, w.d);
      slope = -dot(n, state.g, state.g);
    }
    const alpha1 = state.count === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    const r = yield* strongWolfeSearch(
      state.x,
      state.f,
      state.g,
      w.d,
      alpha1,
      w.xTrial,
      w.gTrial,
      search,
      w.search,
    );
    state.evaluations += r.evaluations;
    if (!r.ok) return "Failure";
    // s = x⁺ − x, y = g⁺ − g into the slot after the newest pair (overwriting the oldest when full).
    const slot = (state.head + state.count) % memory;
    const s = state.S[slot];
    const y = state.Y[slot];
    for (let i = 0; i < n; i++) {
      s[i] = w.xTrial[i] - state.x[i];
      y[i] = w.gTrial[i] - state.g[i];
    }
    const sy = dot(n, s, y);
    if (sy > Number.EPSILON * dot(n, y, y)) {
      state.rho[slot] = 1 / sy;
      if (state.count < memory) state.count += 1;
      else state.head = (state.head + 1) % memory;
    }
    state.lastDecrease = (state.f - r.f) / Math.max(Math.abs(state.f), Math.abs(r.f), 1);
    state.x.set(w.xTrial);
    state.g.set(w.gTrial);
    state.f = r.f;
    state.iteration += 1;
    return converged(state) ? "Success" : "Default";
  }

  function result(state: LBFGSState, retcode: LBFGSRetcode): LBFGSResult {
    const gradNorm = infNorm(state.g);
    const message =
      retcode === "Success"
        ? `converged after ${state.iteration} iterations (‖∇f‖∞ = ${gradNorm.toExponential(2)})`
        : retcode === "MaxIters"
          ? `stopped after maxIterations = ${maxIterations} with ‖∇f‖∞ = ${gradNorm.toExponential(2)} > gtol = ${gtol}. ` +
            "Fix: raise maxIterations, loosen gtol, or rescale the problem."
          : `the line search found no step with sufficient decrease at iteration ${state.iteration + 1} ` +
            `(‖∇f‖∞ = ${gradNorm.toExponential(2)}). Fix: check that the gradient matches the objective ` +
            "(gradcheck), or loosen gtol if the gradient is at rounding level.";
    return {
      x: state.x,
      f: state.f,
      gradNorm,
      iterations: state.iteration,
      evaluations: state.evaluations,
      retcode,
      message,
      state,
    };
  }

  return optimiser;
}

/** The L-BFGS optimiser object returned by `LBFGS(options)`. */
export type LBFGSOptimiser = ReturnType<typeof LBFGS>;

/**
 * Minimises f from x0 with L-BFGS (x0 is not modified). `fg(x, g)` returns f(x) and writes
 * ∇f(x) into g. Returns the minimiser, the value, counts and a retcode ("Success" when
 * ‖∇f‖∞ ≤ gtol).
 */
export function minimize(fg: ObjectiveGradient, x0: Float64Array, options: LBFGSOptions = {}): LBFGSResult {
  const opt = LBFGS(options);
  return opt.run(opt.init(x0, fg), fg);
}

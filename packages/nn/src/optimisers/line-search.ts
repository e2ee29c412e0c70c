/**
 * A line search that returns a step satisfying the strong Wolfe conditions
 *   φ(α) ≤ φ(0) + c₁·α·φ'(0)   and   |φ'(α)| ≤ c₂·|φ'(0)|,   φ(α) = f(x + α·d),
 * by Nocedal & Wright, "Numerical Optimization" (2nd ed., 2006), Algorithm 3.5 (bracketing) and
 * Algorithm 3.6 (zoom), with the cubic interpolant of eq. (3.59) safeguarded to the middle 80%
 * of the bracket (bisection otherwise). Typical constants for quasi-Newton methods: c₁ = 1e-4,
 * c₂ = 0.9 (N&W §3.1).
 *
 * Near a minimiser the decrease c₁·α·φ'(0) drops below the rounding error of f, and no step can
 * pass the sufficient-decrease test. As in Hager & Zhang ("A new conjugate gradient method with
 * guaranteed descent and an efficient line search", SIAM J. Optim. 16(1), 2005, §4, the
 * approximate Wolfe conditions), a step is then also accepted when
 *   φ(α) ≤ φ(0) + ε·|φ(0)|  and  c₂·φ'(0) ≤ φ'(α) ≤ (2δ − 1)·φ'(0),
 * with δ = 0.1 and ε = 1e-10 (only differences of f at rounding level qualify).
 *
 * A non-finite φ(α) counts as "too far": the step shrinks. When zoom runs out of evaluations
 * or the bracket collapses, the best step found so far that satisfies sufficient decrease is
 * returned with `wolfe = false` (the caller may then skip its curvature update).
 *
 * The search is a generator that yields each trial point and is resumed with f there (its
 * gradient written into gTrial), so the same steps serve a synchronous objective (`drive`) and
 * one that answers later, e.g. a worker pool (`driveAsync`).
 */
import { axpy, dot } from "@udekit/kernels";

/** f(x), writing ∇f(x) into g. */
export type ObjectiveGradient = (x: Float64Array, g: Float64Array) => number;
/** f(x), writing ∇f(x) into g before the promise resolves. */
export type AsyncObjectiveGradient = (x: Float64Array, g: Float64Array) => Promise<number>;

/** A point to evaluate: f(x) is sent back, ∇f(x) goes into g. */
export interface EvaluationRequest {
  readonly x: Float64Array;
  readonly g: Float64Array;
}

/** Steps of an optimiser that evaluate the objective by yielding requests; R is the outcome. */
export type Evaluations<R> = Generator<EvaluationRequest, R, number>;

/** Runs the steps with a synchronous objective. */
export function drive<R>(steps: Evaluations<R>, fg: ObjectiveGradient): R {
  let next = steps.next();
  while (!next.done) next = steps.next(fg(next.value.x, next.value.g));
  return next.value;
}

/** Runs the steps with an objective that returns a promise (one evaluation at a time). */
export async function driveAsync<R>(steps: Evaluations<R>, fg: AsyncObjectiveGradient): Promise<R> {
  let next = steps.next();
  while (!next.done) next = steps.next(await fg(next.value.x, next.value.g));
  return next.value;
}

export interface LineSearchOptions {
  /** Sufficient-decrease constant c₁ ∈ (0, 1). */
  readonly c1: number;
  /** Curvature constant c₂ ∈ (c₁, 1). */
  readonly c2: number;
  /** Most function evaluations per search. */
  readonly maxEvaluations: number;
  /** Largest step tried while bracketing. */
  readonly alphaMax: number;
}

/** The outcome, reused across calls; on `ok` the accepted point is in xTrial/gTrial. */
export interface LineSearchResult {
  ok: boolean;
  /** True when the step satisfies both strong Wolfe conditions. */
  wolfe: boolean;
  alpha: number;
  f: number;
  evaluations: number;
}

/** Hager & Zhang's δ and ε of the approximate Wolfe conditions. */
const APPROX_DELTA = 0.1;
const APPROX_EPSILON = 1e-10;

/** Minimiser of the cubic interpolating φ, φ' at a and b (N&W eq. 3.59); NaN when it has none. */
function cubicMinimiser(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return Number.NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}

/**
 * Searches along `d` from `x` (where f = f0, gradient g0, and g0·d < 0). Evaluates trial points
 * into `xTrial`/`gTrial` through `fg`. `alpha1` is the first step tried.
 */
export function strongWolfeLineSearch(
  fg: ObjectiveGradient,
  x: Float64Array,
  f0: number,
  g0: Float64Array,
  d: Float64Array,
  alpha1: number,
  xTrial: Float64Array,
  gTrial: Float64Array,
  options: LineSearchOptions,
  result: LineSearchResult,
): LineSearchResult {
  return drive(strongWolfeSearch(x, f0, g0, d, alpha1, xTrial, gTrial, options, result), fg);
}

/** The search as steps that yield each trial point (xTrial, gTrial); see strongWolfeLineSearch. */
export function* strongWolfeSearch(
  x: Float64Array,
  f0: number,
  g0: Float64Array,
  d: Float64Array,
  alpha1: number,
  xTrial: Float64Array,
  gTrial: Float64Array,
  options: LineSearchOptions,
  result: LineSearchResult,
): Evaluations<LineSearchResult> {
  const n = x.length;
  const request: EvaluationRequest = { x: xTrial, g: gTrial };
  const { c1, c2, maxEvaluations, alphaMax } = options;
  const dphi0 = dot(n, g0, d);
  result.evaluations = 0;
  result.ok = false;
  result.wolfe = false;
  // φ'(α) of the last evaluation (φ itself is returned).
  let dphi = 0;
  const evaluate = function* (alpha: number): Evaluations<number> {
    xTrial.set(x);
    axpy(n, alpha, d, xTrial);
    result.evaluations += 1;
    const f = yield request;
    dphi = dot(n, gTrial, d);
    if (!Number.isFinite(f) || !Number.isFinite(dphi)) {
      dphi = Number.NaN;
      return Number.POSITIVE_INFINITY;
    }
    return f;
  };
  const accept = (alpha: number, f: number, wolfe: boolean): LineSearchResult => {
    result.ok = true;
    result.wolfe = wolfe;
    result.alpha = alpha;
    result.f = f;
    return result;
  };
  const armijo = (alpha: number, f: number) => f <= f0 + c1 * alpha * dphi0;
  const curvature = () => Math.abs(dphi) <= -c2 * dphi0;
  const fNoise = APPROX_EPSILON * Math.abs(f0);
  const approximateWolfe = (f: number) =>
    f <= f0 + fNoise && c2 * dphi0 <= dphi && dphi <= (2 * APPROX_DELTA - 1) * dphi0;

  // Algorithm 3.6: the bracket [lo, hi] contains a strong Wolfe step; lo has the lowest φ so far
  // and satisfies sufficient decrease.
  const zoom = function* (
    lo: number,
    flo: number,
    dlo: number,
    hi: number,
    fhi: number,
    dhi: number,
  ): Evaluations<LineSearchResult> {
    while (result.evaluations < maxEvaluations) {
      const width = Math.abs(hi - lo);
      if (width <= Number.EPSILON * Math.max(lo, hi)) break;
      const left = Math.min(lo, hi);
      let alpha = cubicMinimiser(lo, flo, dlo, hi, fhi, dhi);
      if (!(alpha >= left + 0.1 * width && alpha <= left + 0.9 * width)) alpha = 0.5 * (lo + hi);
      const f = yield* evaluate(alpha);
      if (approximateWolfe(f)) return accept(alpha, f, true);
      if (!armijo(alpha, f) || f >= flo) {
        hi = alpha;
        fhi = f;
        dhi = dphi;
      } else {
        if (curvature()) return accept(alpha, f, true);
        if (dphi * (hi - lo) >= 0) {
          hi = lo;
          fhi = flo;
          dhi = dlo;
        }
        lo = alpha;
        flo = f;
        dlo = dphi;
      }
    }
    if (lo > 0) return accept(lo, yield* evaluate(lo), false); // sufficient decrease holds at lo
    return result;
  };

  // Algorithm 3.5: grow the step until the bracket is found.
  let prev = 0;
  let fPrev = f0;
  let dPrev = dphi0;
  let alpha = Math.min(alpha1, alphaMax);
  for (let i = 1; result.evaluations < maxEvaluations; i++) {
    const f = yield* evaluate(alpha);
    if (approximateWolfe(f)) return accept(alpha, f, true);
    if (!armijo(alpha, f) || (i > 1 && f >= fPrev)) return yield* zoom(prev, fPrev, dPrev, alpha, f, dphi);
    if (curvature()) return accept(alpha, f, true);
    if (dphi >= 0) return yield* zoom(alpha, f, dphi, prev, fPrev, dPrev);
    if (alpha >= alphaMax) return accept(alpha, f, false);
    prev = alpha;
    fPrev = f;
    dPrev = dphi;
    alpha = Math.min(2 * alpha, alphaMax);
  }
  if (prev > 0) return accept(prev, yield* evaluate(prev), false); // sufficient decrease held at prev
  return result;
}

/**
 * DiscreteAdjoint through an automatic composite (AutoTsit5(…), solvers/auto-switch.ts) that
 * switched methods: the computed solution is a chain of segments, each a run of steps of one
 * member started afresh at the segment's first state (a switch re-evaluates the first stage:
 * no stage is shared across it). Its exact gradient is the members' own discrete adjoints
 * (discrete-adjoint.ts, discrete-adjoint-rosenbrock.ts) composed from the last segment back:
 * each segment's walk takes the save points inside it plus, at its end, the cotangent of the
 * segment after it, and hands its λ at its start to the segment before. Nothing is
 * re-implemented; only which steps and save points each walk sees.
 */
import type { SolverStats } from "../solution.js";
import type { CompositeSolver } from "../stepper.js";
import { type AdjointContext, type BackwardResult, commitGradients } from "./adjoint-context.js";
import { discreteAdjoint, type ForwardSteps, stridedSteps } from "./discrete-adjoint.js";
import { rosenbrockDiscreteAdjoint } from "./discrete-adjoint-rosenbrock.js";

/** The forward dense store of a composite solve (ODESolution.denseStore). */
export interface CompositeStore {
  readonly ts: Float64Array;
  readonly us: Float64Array;
  readonly ks: Float64Array;
  /** Vectors per step: one tag vector (entry 0: the member's index), then the member's own. */
  readonly width: number;
}

/**
 * A member's stored steps inside a composite store: blocks of `stride` vectors, the member's
 * `width` vectors after the tag vector.
 */
export function memberSteps(
  ts: Float64Array,
  hs: Float64Array,
  us: Float64Array,
  ks: Float64Array,
  stride: number,
  width: number,
  n: number,
): ForwardSteps {
  return stridedSteps(ts, hs, us, ks, stride, 1, width, n);
}

export function compositeDiscreteAdjoint(
  ctx: AdjointContext,
  solver: CompositeSolver,
  store: CompositeStore,
  hs: Float64Array,
): BackwardResult {
  const { rhs, saveat, cotangent, t0 } = ctx;
  const { n, np } = rhs;
  const { ts, us, ks, width: stride } = store;
  const N = ts.length - 1;
  const dir = Math.sign(ts[N] - ts[0]);
  const memberOf = (i: number) => ks[i * stride * n];
  // Maximal runs [start, end) of steps taken by one member.
  const segments: { start: number; end: number; member: number }[] = [];
  for (let i = 0; i < N; ) {
    let j = i + 1;
    while (j < N && memberOf(j) === memberOf(i)) j++;
    segments.push({ start: i, end: j, member: memberOf(i) });
    i = j;
  }
  let lambda = new Float64Array(n);
  const pAcc = new Float64Array(np);
  const stats: SolverStats = ctx.stats;
  for (let q = segments.length - 1; q >= 0; q--) {
    const { start, end, member } = segments[q];
    const ta = ts[start];
    const tb = ts[end];
    // The save points in (ta, tb] (the first segment also takes those at t0), then tb with the
    // cotangent the later segments left on y(tb).
    const times: number[] = [];
    const rows: number[] = [];
    for (let k = 0; k < saveat.length; k++) {
      const s = saveat[k];
      const after = q === 0 ? dir * (s - ta) >= 0 : dir * (s - ta) > 0;
      if (after && dir * (tb - s) >= 0) {
        times.push(s);
        for (let j = 0; j < n; j++) rows.push(cotangent[k * n + j]);
      }
    }
    times.push(tb);
    for (let j = 0; j < n; j++) rows.push(lambda[j]);
    const u0Bar = new Float64Array(n);
    const pBar = new Float64Array(np);
    const sub: AdjointContext = {
      ...ctx,
      t0: q === 0 ? t0 : ta,
      u0: us.subarray(start * n, (start + 1) * n),
      saveat: Float64Array.from(times),
      cotangent: Float64Array.from(rows),
      forwardSteps: ts.subarray(start + 1, end + 1),
      u0Bar,
      pBar,
      stats,
    };
    const m = solver.members[member];
    const width = m.family === "erk" ? m.tableau.endStage + 1 : m.dense.stages;
    const steps = memberSteps(
      ts.subarray(start, end + 1),
      hs.subarray(start, end),
      us.subarray(start * n),
      ks.subarray(start * stride * n),
      stride,
      width,
      n,
    );
    const result =
      m.family === "erk" ? discreteAdjoint(sub, m, steps) : rosenbrockDiscreteAdjoint(sub, m, steps);
    if (result.retcode !== "Success") return result;
    lambda = u0Bar;
    for (let j = 0; j < np; j++) pAcc[j] += pBar[j];
  }
  return commitGradients(ctx, lambda, pAcc, "DiscreteAdjoint");
}

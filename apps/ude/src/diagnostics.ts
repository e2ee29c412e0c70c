/**
 * The data behind the diagnostic plots, computed from a problem and a parameter vector by
 * forward solves: predictions at the observation times (parity, residuals, heat map), dense
 * trajectories of every node (small multiples), and the net's input and output along the
 * predicted trajectory (net-term.svg).
 */
import { type Tensor, tensor } from "@udekit/autodiff";
import { RunError } from "./errors.js";
import type { Problem } from "./gradients.js";
import { connectivity, paramsFromVector, rhsFor } from "./model.js";
import type { NetTermSamples } from "./net-term-plot.js";
import type { DenseTrajectories } from "./nodes-plot.js";
import type { ObservationFit } from "./observation-fit.js";
import { evenTimes, type StatesAt, statesAt } from "./trajectories.js";

/** Points of the dense trajectories drawn in the plots. */
export const DENSE_POINTS = 161;

/** Rows (one per node) of states stored time-major (states[k · n + i]). */
export function nodeRows(s: StatesAt): number[][] {
  return Array.from({ length: s.n }, (_, i) => s.times.map((_, k) => s.states[k * s.n + i]));
}

function solved(s: StatesAt, what: string): StatesAt {
  if (s.info.retcode !== undefined && s.info.retcode !== "Success") {
    throw new RunError(
      `the ODE solve for ${what} failed (${s.info.retcode}: ${s.info.message}). Fix: try a stiff solver (--solver Rodas4) or looser tolerances.`,
    );
  }
  return s;
}

/** Predictions at the observation times next to the observations. */
export function observationFit(
  problem: Problem,
  vector: Float64Array,
  f: (u: Tensor, p: Tensor, t: Tensor) => Tensor = rhsFor(problem.params),
): ObservationFit {
  const { obs } = problem;
  const s = solved(statesAt(problem, vector, obs.times, f), "the observation times");
  const holdout = problem.fit?.holdout;
  return {
    times: obs.times,
    observed: obs.values,
    predicted: nodeRows(s),
    ...(holdout !== undefined
      ? {
          heldOut: {
            ...(holdout.nodes !== undefined ? { nodes: holdout.nodes } : {}),
            ...(holdout.columns !== undefined ? { columns: holdout.columns } : {}),
          },
        }
      : {}),
  };
}

/** Every node's predicted trajectory at `points` evenly spaced times from t₀ to `until`. */
export function denseTrajectories(
  problem: Problem,
  vector: Float64Array,
  until: number,
  f: (u: Tensor, p: Tensor, t: Tensor) => Tensor = rhsFor(problem.params),
  points = DENSE_POINTS,
): DenseTrajectories & { raw: StatesAt } {
  const times = evenTimes(problem.obs.times[0], until, points);
  const s = solved(statesAt(problem, vector, times, f), "the dense trajectories");
  return { times, states: nodeRows(s), raw: s };
}

/**
 * The blockwise net's input u and output nn(u) at each state of a trajectory, or undefined when
 * the model has no net: nn(u) is the right-hand side minus the linear part A(P)·u (P after its
 * constraint and mask), or the right-hand side itself without a linear part.
 */
export function netTermSamples(
  problem: Problem,
  vector: Float64Array,
  along: StatesAt,
): NetTermSamples | undefined {
  const { spec, n } = problem.params;
  if (spec.net === undefined) return undefined;
  const p = paramsFromVector(spec, n, vector);
  const f = rhsFor(p);
  const pt = tensor(vector, problem.params.tensor().shape);
  const P = spec.linear ? tensor(p.P()) : undefined;
  const inputs: number[][] = [];
  const outputs: number[][] = [];
  along.times.forEach((t, k) => {
    const u = tensor(along.states.slice(k * n, (k + 1) * n));
    const rhs = f(u, pt, tensor(t)).data;
    const linear = P !== undefined ? connectivity(u, P).data : undefined;
    inputs.push(Array.from(u.data));
    outputs.push(Array.from(rhs, (x, i) => x - (linear?.[i] ?? 0)));
  });
  return { blockSize: spec.net.block, times: along.times, inputs, outputs };
}

/**
 * Predicted trajectories: forward solves (no gradient) of the model at given parameters from the
 * observations' initial condition, at any times from t₀ on. Shared by the CLI (fit.svg, the
 * diagnostic plots, `ude predict`) and the browser playground (apps/web, live fit plot).
 */
import { type Tensor, tensor } from "@udekit/autodiff";
import { type SolveOdeInfo, solveOde } from "@udekit/ode";
import type { Problem } from "./gradients.js";
import { initialState, rhsFor } from "./model.js";

/** States at `times` (increasing, none before t₀): `states[k · n + i]` = u_i(times[k]). */
export interface StatesAt {
  times: readonly number[];
  n: number;
  states: Float64Array;
  /** The solve's retcode and message ("Success" when every time was reached). */
  info: SolveOdeInfo;
}

/**
 * The model's states at `times` for the parameter vector `vector` (forward solve only, from the
 * observations' initial condition at t₀ = obs.times[0] to the last of `times`). Pass `f` (the
 * model's right-hand side from rhsFor) to reuse its compiled tape across calls.
 */
export function statesAt(
  problem: Problem,
  vector: Float64Array,
  times: readonly number[],
  f: (u: Tensor, p: Tensor, t: Tensor) => Tensor = rhsFor(problem.params),
): StatesAt {
  const { obs, params, solve } = problem;
  const t0 = obs.times[0];
  // The vector in the shape the right-hand side takes (the model's own parameter tensor's).
  const p = tensor(vector, params.tensor().shape);
  const info: SolveOdeInfo = {};
  const result = solveOde(f, initialState(obs), p, {
    // A zero-length span (only t₀ asked for) is widened so the solver has an interval.
    tspan: [t0, Math.max(times[times.length - 1], t0)],
    saveat: times,
    solver: solve.solver,
    reltol: solve.reltol,
    abstol: solve.abstol,
    ...(solve.dt !== undefined ? { dt: solve.dt } : {}),
    info,
  });
  return { times, n: params.n, states: result.data, info };
}

/** `points` evenly spaced times from `t0` to `t1` (both included). */
export function evenTimes(t0: number, t1: number, points: number): number[] {
  if (points === 1) return [t0];
  return Array.from({ length: points }, (_, k) =>
    k === points - 1 ? t1 : t0 + ((t1 - t0) * k) / (points - 1),
  );
}

/**
 * Dense predicted trajectories of a few nodes at the given parameters (forward solve only), at
 * `points` evenly spaced times from t₀ to `until` (default: the last observation). Pass `f` (the
 * model's right-hand side from rhsFor) to reuse its compiled tape across calls.
 */
export function trajectories(
  problem: Problem,
  vector: Float64Array,
  nodes: readonly number[],
  f: (u: Tensor, p: Tensor, t: Tensor) => Tensor = rhsFor(problem.params),
  points = 81,
  until?: number,
): { t: number; u: number }[][] {
  const times = problem.obs.times;
  const dense = evenTimes(times[0], until ?? times[times.length - 1], points);
  const { states, n } = statesAt(problem, vector, dense, f);
  return nodes.map((i) =>
    dense.map((t, k) => ({ t, u: states[k * n + i] })).filter((q) => Number.isFinite(q.u)),
  );
}

/** Four nodes spread over the network (0-based). */
export function plotNodes(n: number): number[] {
  return [...new Set([0, Math.floor(n / 4), Math.floor(n / 2), Math.floor((3 * n) / 4)])].filter(
    (i) => i < n,
  );
}

/**
 * Predicted trajectories for the fit plot: dense forward solves of a few nodes at given
 * parameters, shared by the CLI (fit.svg) and the browser playground (apps/web, live fit plot).
 */
import type { Tensor } from "@udekit/autodiff";
import { type SolveOdeInfo, solveOde } from "@udekit/ode";
import type { Problem } from "./gradients.js";
import { initialState, paramsFromVector, rhsFor } from "./model.js";

/**
 * Dense predicted trajectories of a few nodes at the given parameters (forward solve only), at
 * `points` evenly spaced times over the observations' span. Pass `f` (the model's right-hand side
 * from rhsFor) to reuse its compiled tape across calls.
 */
export function trajectories(
  problem: Problem,
  vector: Float64Array,
  nodes: readonly number[],
  f: (u: Tensor, p: Tensor, t: Tensor) => Tensor = rhsFor(problem.params),
  points = 81,
): { t: number; u: number }[][] {
  const { obs, params, solve } = problem;
  const t0 = obs.times[0];
  const t1 = obs.times[obs.times.length - 1];
  const dense = Array.from({ length: points }, (_, k) => t0 + ((t1 - t0) * k) / (points - 1));
  const p = paramsFromVector(params.kind, params.n, vector, params.activation);
  const info: SolveOdeInfo = {};
  const states = solveOde(f, initialState(obs), p.tensor(), {
    tspan: [t0, t1],
    saveat: dense,
    solver: solve.solver,
    reltol: solve.reltol,
    abstol: solve.abstol,
    ...(solve.dt !== undefined ? { dt: solve.dt } : {}),
    info,
  });
  const n = params.n;
  return nodes.map((i) =>
    dense.map((t, k) => ({ t, u: states.data[k * n + i] })).filter((q) => Number.isFinite(q.u)),
  );
}

/** Four nodes spread over the network (0-based). */
export function plotNodes(n: number): number[] {
  return [...new Set([0, Math.floor(n / 4), Math.floor(n / 2), Math.floor((3 * n) / 4)])].filter(
    (i) => i < n,
  );
}

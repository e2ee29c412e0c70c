/**
 * A small ensemble model for exact gradient tests: du/dt = A(P)·u − k·u on n = 4 nodes
 * (A(P) = P − diag(P·1)), p = [P (16, row-major); k], stepped by Tsit5 with a fixed dt and
 * differentiated by DiscreteAdjoint, so the gradient is that of the computed (discrete) loss and
 * central differences of the same loss converge to it.
 */
import { matvec, mul, reshape, slice, sub, sum, type Tensor } from "@udekit/autodiff";
import { DiscreteAdjoint, Tsit5 } from "@udekit/ode";
import { type Experiment, odeExperimentModel, serveEnsemble } from "../../src/index.js";

export const n = 4;

export function smallRhs(u: Tensor, p: Tensor): Tensor {
  const P = reshape(slice(p, 0, n * n), [n, n]);
  const k = reshape(slice(p, n * n, n * n + 1), []);
  return sub(sub(matvec(P, u), mul(sum(P, 1), u)), mul(k, u));
}

export const model = odeExperimentModel({
  rhs: smallRhs,
  solver: Tsit5(),
  adaptive: false,
  dt: 0.05,
  sensealg: DiscreteAdjoint(),
});

/**
 * Global parameters: P (16) shared by all, then one decay rate k per experiment (4); experiment e
 * sees [P; k_e] through its `params` subset.
 */
export const paramLength = n * n + 4;

export function smallParams(): Float64Array {
  const p = new Float64Array(paramLength);
  for (let i = 0; i < n * n; i++) p[i] = 0.1 + ((i * 7) % 11) / 20;
  for (let e = 0; e < 4; e++) p[n * n + e] = 0.05 * (e + 1);
  return p;
}

export function smallExperiments(): Experiment[] {
  const idx = (e: number) => [...Array.from({ length: n * n }, (_, i) => i), n * n + e];
  return Array.from({ length: 4 }, (_, e) => ({
    u0: Array.from({ length: n }, (_, i) => Math.sin(1 + e + 2 * i) + 1.5),
    saveat: [0, 0.5, 1, 2],
    t0: 0,
    data: Array.from({ length: 4 * n }, (_, j) => 1 + 0.1 * Math.cos(j + e)),
    params: idx(e),
  }));
}

export default serveEnsemble(model);

/**
 * The worker module of `ude gradient` / `ude train` with several experiments: every worker thread
 * of the @udekit/ensemble pool imports it and builds the model from the pool's config (the model
 * description, the node count and the solve settings; functions cannot travel to workers), then
 * answers one experiment per task: its forward solve and its adjoint.
 */
import { odeExperimentModel, serveEnsemble } from "@udekit/ensemble";
import {
  BacksolveAdjoint,
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "@udekit/ode";
import { paramsFromVector, rhsFor } from "./model.js";
import type { ModelSpec } from "./model-spec.js";
import { parseSolver } from "./options.js";

/** What the pool sends (structured-cloneable data only). */
export interface UdeWorkerConfig {
  spec: ModelSpec;
  n: number;
  paramLength: number;
  solver: string;
  reltol: number;
  abstol: number;
  dt?: number;
  /** A gradient method of ENSEMBLE_METHODS. */
  method: string;
}

/** The gradient methods an ensemble runs (expm has no solve to distribute; direct records every step on one tape). */
export const ENSEMBLE_METHODS = [
  "interpolating",
  "interpolating-checkpointed",
  "quadrature",
  "discrete",
  "backsolve",
  "forward",
] as const;

export function ensembleSensealg(method: string): SensitivityAlgorithm {
  switch (method) {
    case "interpolating-checkpointed":
      return InterpolatingAdjoint({ checkpointing: true });
    case "quadrature":
      return QuadratureAdjoint();
    case "discrete":
      return DiscreteAdjoint();
    case "backsolve":
      return BacksolveAdjoint();
    case "forward":
      return ForwardSensitivity();
    default:
      return InterpolatingAdjoint();
  }
}

export default serveEnsemble((raw) => {
  const c = raw as UdeWorkerConfig;
  const params = paramsFromVector(c.spec, c.n, new Float64Array(c.paramLength));
  return odeExperimentModel({
    rhs: rhsFor(params),
    paramShape: params.tensor().shape,
    solver: parseSolver(c.solver),
    reltol: c.reltol,
    abstol: c.abstol,
    ...(c.dt !== undefined ? { dt: c.dt } : {}),
    sensealg: ensembleSensealg(c.method),
  });
});

/**
 * Sensitivity algorithms: how the gradient of a loss through an ODE solve is computed.
 * Each is a small description (data); the drivers live in one file per method.
 *
 * Which one? (README "Which sensitivity method?")
 * - InterpolatingAdjoint (default): one backward solve of λ and μ = ∫λᵀ∂f/∂p, reading u(t)
 *   from the forward solution's dense output. Stable on stiff and dissipative problems;
 *   memory = the forward dense output (or, with checkpointing, one interval at a time).
 * - QuadratureAdjoint: backward solve of λ only (n components), the parameter integral by
 *   Gauss–Legendre quadrature on each backward step. Cheapest when p is large.
 * - BacksolveAdjoint: re-integrates u backward together with λ and μ; O(1) memory but
 *   unstable whenever the forward problem is dissipative (the seed model: e^57 per unit
 *   time). It checks itself against the forward states and throws instead of returning a
 *   wrong gradient.
 * - ForwardSensitivity: integrates ∂u/∂(u0, p) forward: cost grows like n·(n + p); for a
 *   handful of parameters only.
 * - DirectBackprop: records the solver's own steps on the tape (discretise-then-optimise);
 *   explicit Runge–Kutta methods only; memory grows with steps × stages.
 */
import type { OdeSolver } from "../stepper.js";

/** Solver and tolerances for a backward (or sensitivity) pass; defaults: the forward ones. */
export interface BackwardOptions {
  solver?: OdeSolver;
  reltol?: number;
  abstol?: number;
}

export interface InterpolatingAdjointOptions extends BackwardOptions {
  /**
   * Store only the states at the save points, then re-solve each interval forward with
   * dense output during the backward pass (memory of one interval instead of the whole solve).
   */
  checkpointing?: boolean;
}

export interface QuadratureAdjointOptions extends BackwardOptions {
  /**
   * Gauss–Legendre points per backward step (default ⌈(order + 1)/2⌉ for the backward
   * solver's order: a rule exact to degree ≥ order, so the quadrature is as accurate as the
   * integration. Backward steps stop at the forward steps' boundaries, so u(t) is one
   * polynomial piece inside each step).
   */
  points?: number;
}

export interface BacksolveAdjointOptions extends BackwardOptions {
  /**
   * Largest accepted relative difference ‖u_back − u_forward‖ / max(‖u_forward‖, abstol)
   * at the save points before the gradient is declared wrong (default max(1e3·reltol, 1e-6)).
   */
  checkTolerance?: number;
}

export type SensitivityAlgorithm =
  | ({ kind: "InterpolatingAdjoint" } & InterpolatingAdjointOptions)
  | ({ kind: "QuadratureAdjoint" } & QuadratureAdjointOptions)
  | ({ kind: "BacksolveAdjoint" } & BacksolveAdjointOptions)
  | ({ kind: "ForwardSensitivity" } & BackwardOptions)
  | { kind: "DirectBackprop" };

export const InterpolatingAdjoint = (options: InterpolatingAdjointOptions = {}): SensitivityAlgorithm => ({
  kind: "InterpolatingAdjoint",
  ...options,
});
export const QuadratureAdjoint = (options: QuadratureAdjointOptions = {}): SensitivityAlgorithm => ({
  kind: "QuadratureAdjoint",
  ...options,
});
export const BacksolveAdjoint = (options: BacksolveAdjointOptions = {}): SensitivityAlgorithm => ({
  kind: "BacksolveAdjoint",
  ...options,
});
export const ForwardSensitivity = (options: BackwardOptions = {}): SensitivityAlgorithm => ({
  kind: "ForwardSensitivity",
  ...options,
});
export const DirectBackprop = (): SensitivityAlgorithm => ({ kind: "DirectBackprop" });

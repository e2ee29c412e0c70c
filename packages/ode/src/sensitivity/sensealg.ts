/**
 * Sensitivity algorithms: how the gradient of a loss through an ODE solve is computed.
 * Each is a small description (data); the drivers live in one file per method, and every
 * continuous adjoint runs on the one backward driver (backward-driver.ts).
 *
 * Which one? (README "Which sensitivity method?")
 * - InterpolatingAdjoint (default): one backward solve of λ, reading u(t) from the forward
 *   solution's dense output; p̄ = ∫λᵀ∂f/∂p dt from the backward steps' stages (explicit
 *   methods) or by Gauss–Legendre quadrature (Rosenbrock methods, whose backward system gets
 *   its exact Jacobian and time derivative). Memory = the forward dense output (or, with
 *   checkpointing, one interval at a time).
 * - DiscreteAdjoint: the exact gradient of the computed solution (step sizes held fixed),
 *   walking the forward steps backward through their stages: as many VJPs as the forward
 *   solve made evaluations, no backward error control. Explicit Runge–Kutta methods.
 * - QuadratureAdjoint: backward solve of λ only (n components), the parameter integral by
 *   Gauss–Legendre quadrature on each backward step.
 * - BacksolveAdjoint: re-integrates u backward together with λ and μ; O(1) memory but
 *   unstable whenever the forward problem is dissipative (the seed model: e^57 per unit
 *   time). It checks itself against the forward states and throws instead of returning a
 *   wrong gradient. Not for stiff solvers.
 * - ForwardSensitivity: integrates ∂u/∂(u0, p) forward: cost grows like n·(n + p); for a
 *   handful of parameters only.
 * - DirectBackprop: records the solver's own steps on the generic tape; explicit Runge–Kutta
 *   methods only (an automatic composite until it switches); memory grows with steps × stages.
 *   A slow cross-check of DiscreteAdjoint.
 */
import type { OdeSolver } from "../stepper.js";

/**
 * How a backward (or sensitivity) pass steps; every field defaults to the forward solve's
 * value. `maxiters` counts the steps of each backward interval (between save points).
 */
export interface BackwardOptions {
  solver?: OdeSolver;
  reltol?: number;
  abstol?: number;
  /** Step of a fixed-step method (defaults to the forward dt). */
  dt?: number;
  dtmin?: number;
  dtmax?: number;
  maxiters?: number;
  /**
   * Gradient audit: after the backward pass, compare gᵀv with a forward-mode directional
   * derivative along a random direction v (one forward solve of the tangent system) and throw
   * GradientMismatchError when they disagree beyond what the tolerances explain. `true` uses
   * the default threshold (see gradient-audit.ts); a number sets the relative threshold.
   * Unset: after a solve that took stiff steps, the first gradient of each (right-hand side,
   * solver, sensealg, tolerances) is audited (solve-ode.ts, defaultAuditKey); `false`: never.
   */
  verify?: boolean | number;
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
   * integration. Backward steps are bounded by the forward steps they cross, so u(t) is
   * resolved as finely as the forward solve resolved it).
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

export interface DiscreteAdjointOptions {
  /**
   * Keep the states of only this many steps and recompute the stages of the steps between
   * them during the backward walk (memory ≈ checkpoints·n + (steps/checkpoints)·stages·n
   * instead of steps·stages·n; one extra forward evaluation per stage). Default: keep every
   * step's stages up to `storeBytes`, then checkpoints.
   */
  checkpoints?: number;
  /**
   * The most memory, in bytes, every step's stored states and stages may take (default 224 MiB,
   * 7/8 of @udekit/kernels' buffer pool, so the store is reused warm call after call). A store that would grow past it is dropped during the
   * forward solve, whose states so far become checkpoints (about √(2·steps·stages) of them,
   * within storeBytes/2), and the backward walk recomputes each step once, as with `checkpoints`. Infinity: always store.
   */
  storeBytes?: number;
  /** Gradient audit, as in BackwardOptions.verify. */
  verify?: boolean | number;
}

export type SensitivityAlgorithm =
  | ({ kind: "InterpolatingAdjoint" } & InterpolatingAdjointOptions)
  | ({ kind: "QuadratureAdjoint" } & QuadratureAdjointOptions)
  | ({ kind: "BacksolveAdjoint" } & BacksolveAdjointOptions)
  | ({ kind: "ForwardSensitivity" } & BackwardOptions)
  | ({ kind: "DiscreteAdjoint" } & DiscreteAdjointOptions)
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
export const DiscreteAdjoint = (options: DiscreteAdjointOptions = {}): SensitivityAlgorithm => ({
  kind: "DiscreteAdjoint",
  ...options,
});
export const DirectBackprop = (): SensitivityAlgorithm => ({ kind: "DirectBackprop" });

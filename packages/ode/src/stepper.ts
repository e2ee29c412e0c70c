/**
 * The contract between the integrator (step control, tstops, retcodes; integrator.ts) and a
 * method family's engine (explicit Runge–Kutta: erk/engine.ts; Rosenbrock: rosenbrock/engine.ts;
 * SDIRK: sdirk/engine.ts).
 * A Stepper owns the per-solve caches of one method on one problem: every buffer is
 * allocated when it is created, and no method of it allocates afterwards.
 */

import { InvalidOptionError } from "./errors.js";
import type { PolynomialInterpolant } from "./interpolation/polynomial-interpolant.js";
import type { ControllerOptions } from "./options.js";
import type { InPlaceRhs, JacobianFunction, TimeDerivativeFunction } from "./problem.js";
import type { RosenbrockTableau } from "./rosenbrock/tableau.js";
import type { SdirkTableau } from "./sdirk/tableau.js";
import type { SolverStats } from "./solution.js";
import type { ButcherTableau } from "./tableau/butcher-tableau.js";

/** What an engine needs from the problem. */
export interface RhsContext {
  readonly n: number;
  readonly f: InPlaceRhs;
  readonly p: Float64Array;
  readonly jac: JacobianFunction | undefined;
  readonly tgrad: TimeDerivativeFunction | undefined;
  /** Shared counters; engines increment nf, njac, nlu (and SDIRK nnonliniter). */
  readonly stats: SolverStats;
  /**
   * The solve's tolerances, for engines that iterate (SDIRK's Newton test uses the error norm's
   * scale). Absent where a stepper only replays steps; an iterating engine then takes the
   * solve defaults (abstol 1e-6, reltol 1e-3).
   */
  readonly abstol?: Float64Array;
  readonly reltol?: number;
}

/**
 * A method's stepper. Besides what each member says, one contract is relied on by code that
 * wraps f (sensitivity/stepper-hooks.ts, the stage adjoint of interpolating-adjoint.ts): an
 * explicit Runge–Kutta stepper evaluates, within one attempt(), stages 2…s in order with exactly
 * one call of f each (stage 1 is f0: FSAL or start()), and evaluates f nowhere else during the
 * attempt. The stage adjoint counts f's calls to know which stage an evaluation belongs to, and
 * refuses a step whose call count is not s − 1 (InvalidProblemError). An ERK engine that
 * evaluated a stage twice, skipped a zero-weight stage or evaluated extra (dense-output) stages
 * inside attempt() would break that count; dense-output extra stages belong in interpolate().
 * Rosenbrock and SDIRK steppers are not hooked this way (their adjoints go through
 * quadrature-adjoint.ts and the discrete adjoints, which read the stored steps).
 */
export interface Stepper {
  /** (Re)starts at (t, y): evaluates the first stage afresh (no FSAL reuse across a restart). */
  start(t: number, y: Float64Array): void;
  /** f(t, y) at the current step start, valid after start() or accept(). */
  readonly f0: Float64Array;
  /**
   * Attempts a step of size h (signed) from (t, y): writes y₁ into yNew and the local error
   * estimate into err (when the method has one). Returns false when the step could not be
   * computed at this h (a singular W-matrix, a Newton iteration that did not converge): the
   * integrator then retries with a smaller step. Non-finite values are detected by the caller.
   */
  attempt(t: number, y: Float64Array, h: number, yNew: Float64Array, err: Float64Array): boolean;
  /**
   * Why the last attempt returned false, for the retcode message (default: "the W-matrix is
   * singular"). A stepper wrapper must pass it on, as stepper-hooks.ts does.
   */
  failureReason?(): string;
  /** Makes the last attempted step the accepted one, ending at (tNew, yNew). */
  accept(tNew: number, yNew: Float64Array): void;
  /** Number of n-vectors that define one step's dense output (what a dense solution stores per step). */
  readonly denseVectors: number;
  /** Copies the accepted step's dense vectors into dst at offset (denseVectors·n entries). */
  saveDense(dst: Float64Array, offset: number): void;
  /** Dense output inside the last accepted step [t0, t0 + h] at θ ∈ [0, 1]. Allocation-free. */
  interpolate(theta: number, t0: number, h: number, y0: Float64Array, out: Float64Array): void;
  /** Dense output inside a stored step (vectors saved by saveDense at `offset` of `store`). */
  interpolateStored(
    theta: number,
    t0: number,
    h: number,
    y0: Float64Array,
    store: Float64Array,
    offset: number,
    out: Float64Array,
  ): void;
  /**
   * Composite methods only (auto/auto-switch-stepper.ts): after accept(), the change of method
   * just decided — the member that takes the next step and the factor on the next step size —
   * or undefined when the method did not change. The integrator then scales its proposed step
   * and uses that member's step-size controller.
   */
  takeSwitch?(): MethodSwitchRequest | undefined;
}

/** What a composite stepper asks of the integrator when it changes method (see Stepper.takeSwitch). */
export interface MethodSwitchRequest {
  /** Index into CompositeSolver.members of the method that takes the next step. */
  readonly member: number;
  /** Factor on the integrator's proposed next step. */
  readonly dtFactor: number;
}

/** What every method declares, whatever its family: its facts and a factory for its per-solve Stepper. */
export interface OdeSolverBase {
  /** The literature's name: "Tsit5", "Rodas4", … */
  readonly name: string;
  /** Convergence order p of the solution. */
  readonly order: number;
  /** Order of the embedded solution that drives step control (0 when there is none). */
  readonly embeddedOrder: number;
  /** Order of the error estimate used by the controller (min(p, p̂)). */
  readonly errorOrder: number;
  /** True when the method has an error estimate and adapts its step by default. */
  readonly adaptive: boolean;
  /** Stages per step (function evaluations per step for explicit methods before FSAL savings). */
  readonly stages: number;
  readonly fsal: boolean;
  /** True for methods meant for stiff problems (linearly implicit, L-stable or nearly). */
  readonly stiff: boolean;
  /** Name and order of the dense output. */
  readonly interpolant: { readonly name: string; readonly order: number };
  /** One line: when to use it. */
  readonly description: string;
  /** The method's own step-size controller defaults from its literature (e.g. DP5: DOPRI5's). */
  readonly controllerDefaults?: Readonly<ControllerOptions>;
  createStepper(ctx: RhsContext): Stepper;
}

/** An explicit Runge–Kutta method (erk/engine.ts): a Butcher tableau and a polynomial interpolant on its stages. */
export interface ErkSolver extends OdeSolverBase {
  readonly family: "erk";
  readonly stiff: false;
  readonly tableau: ButcherTableau;
  readonly dense: PolynomialInterpolant;
}

/** A Rosenbrock method (rosenbrock/engine.ts): a transformed Rosenbrock tableau and its dense output. */
export interface RosenbrockSolver extends OdeSolverBase {
  readonly family: "rosenbrock";
  readonly stiff: true;
  readonly tableau: RosenbrockTableau;
  readonly dense: PolynomialInterpolant;
}

/**
 * An ESDIRK method (sdirk/engine.ts): its tableau and a polynomial dense output on the stage
 * increments zᵢ = h·f(Yᵢ) (σ = 1, as for Rosenbrock stages).
 */
export interface SdirkSolver extends OdeSolverBase {
  readonly family: "sdirk";
  readonly stiff: true;
  readonly tableau: SdirkTableau;
  readonly dense: PolynomialInterpolant;
}

/** When an automatic composite switches between its members (OrdinaryDiffEq's AutoSwitch parameters). */
export interface AutoSwitchOptions {
  /** Switch to the stiff member after more than this many consecutive stiff verdicts (default 10). */
  readonly maxstiffstep: number;
  /** Switch back after more than this many consecutive non-stiff verdicts (default 3). */
  readonly maxnonstiffstep: number;
  /** A step of the non-stiff member is a stiff verdict when h·ρ/stabilitySize > nonstifftol (default 0.9). */
  readonly nonstifftol: number;
  /** A step of the stiff member is a stiff verdict when h·‖J‖∞/stabilitySize > stifftol (default 0.9). */
  readonly stifftol: number;
  /** The step is multiplied by dtfac when switching to the stiff member and divided by it when switching back (default 2). */
  readonly dtfac: number;
}

/**
 * An automatic composite (solvers/auto-switch.ts): a non-stiff explicit method that hands over
 * to a stiff Rosenbrock method when a stiffness estimate says so, and back. Each step is taken
 * by one member; its dense output is that member's own interpolant.
 */
export interface CompositeSolver extends OdeSolverBase {
  readonly family: "composite";
  readonly stiff: true;
  /** [non-stiff member, stiff member]. */
  readonly members: readonly [ErkSolver, RosenbrockSolver];
  /** The real-axis stability boundary of the non-stiff member (|R(−x)| ≤ 1 for 0 ≤ x ≤ it). */
  readonly stabilitySize: number;
  readonly switching: AutoSwitchOptions;
}

/**
 * A method of one of the solver families. The adjoints and the conformance suite switch on
 * `family` to reach the family's tableau; a new family (BDF, …) adds a member here with what its
 * clients need (see CONTRIBUTING.md, "5. A new solver family").
 */
export type OdeSolver = ErkSolver | RosenbrockSolver | SdirkSolver | CompositeSolver;

/**
 * Whether the method uses ∂f/∂u (a W-matrix): then a caller that can supply an exact Jacobian
 * should (the sensitivity systems, the forward solve of solveOde).
 */
export function usesJacobian(solver: OdeSolver): boolean {
  switch (solver.family) {
    case "erk":
      return false;
    case "rosenbrock":
    case "sdirk":
    case "composite":
      return true;
    default:
      return unknownFamily(solver, "usesJacobian");
  }
}

/**
 * The `default:` of an exhaustive `switch (solver.family)`: TypeScript reports every switch that
 * misses a family (the argument is then not `never`); at run time, a solver object of an unknown
 * family gets a typed error.
 */
export function unknownFamily(solver: never, where: string): never {
  const family = (solver as { family?: unknown } | null)?.family;
  throw new InvalidOptionError(
    `@udekit/ode: ${where} does not know the solver family ${JSON.stringify(family)}; pass a method of @udekit/ode (Tsit5(), Rodas5P(), TRBDF2(), …).`,
  );
}

/**
 * Automatic method choice with stiffness detection and switching, after
 * DifferentialEquations.jl's composite algorithms (`AutoTsit5(Rosenbrock23())`,
 * `AutoVern7(Rodas5P())`; OrdinaryDiffEq.jl src/composite_algs.jl): start with an explicit
 * Runge–Kutta method, estimate stiffness from its last two stages after every step, hand over
 * to a Rosenbrock method after several consecutive stiff verdicts, and back after several
 * non-stiff ones (the test: auto/auto-switch-stepper.ts). On a non-stiff problem it takes the
 * explicit method's steps exactly; on a stiff one it takes the stiff method's steps where the
 * explicit one would be held to its stability boundary.
 *
 * `solve(problem)` without a solver uses `AutoTsit5(Rodas5P())` (solvers/index.ts, defaultSolver).
 * `sol.stats.methodSteps` counts the accepted steps of each member and `sol.stats.switches`
 * lists every change with its time and reason.
 */

import { AutoSwitchStepper } from "../auto/auto-switch-stepper.js";
import { realStabilitySize } from "../auto/stability-size.js";
import { InvalidOptionError } from "../errors.js";
import type {
  AutoSwitchOptions,
  CompositeSolver,
  ErkSolver,
  OdeSolver,
  RosenbrockSolver,
} from "../stepper.js";
import { tsit5 } from "./tsit5.js";
import { vern7 } from "./vern7.js";

/** OrdinaryDiffEq's AutoSwitch defaults. */
const DEFAULTS: AutoSwitchOptions = {
  maxstiffstep: 10,
  maxnonstiffstep: 3,
  nonstifftol: 0.9,
  stifftol: 0.9,
  dtfac: 2,
};

const OPTION_NAMES = Object.keys(DEFAULTS) as (keyof AutoSwitchOptions)[];

function checkMember(solver: unknown, family: "erk" | "rosenbrock", what: string, caller: string): void {
  if (typeof solver === "function") {
    throw new InvalidOptionError(
      `@udekit/ode: ${caller} got the solver factory ${solver.name || "function"} itself as its ${what}; call it: ${solver.name || "Rodas5P"}().`,
    );
  }
  const s = solver as OdeSolver | undefined;
  if (s?.family !== family) {
    throw new InvalidOptionError(
      `@udekit/ode: ${caller} needs ${family === "erk" ? "an explicit Runge–Kutta method (Tsit5(), Vern7(), DP5(), …)" : "a Rosenbrock method (Rosenbrock23(), Rodas4(), Rodas5P())"} as its ${what}; got ${s?.name ?? String(solver)}.`,
    );
  }
}

/**
 * A composite of a non-stiff explicit Runge–Kutta method and a stiff Rosenbrock method that
 * switches between them on a stiffness estimate (OrdinaryDiffEq's `AutoSwitch`).
 * Facts: each step is one member's step (its order, its error estimate, its step-size
 * controller defaults, its dense output); a switch costs one extra right-hand-side evaluation.
 * The explicit member's last two stages must both lie at c = 1 (Tsit5, Vern7, Vern9, DP5 do),
 * since the stiffness estimate compares them.
 * Not for: problems known to be stiff throughout (use the Rosenbrock method itself: the
 * composite first spends ~maxstiffstep steps detecting it) or known non-stiff ones (it costs
 * one vector norm per step over the explicit method).
 * Reference: Hairer–Wanner II §IV.2 (stiffness detection); OrdinaryDiffEq.jl `AutoSwitch`.
 */
export function autoSwitch(
  nonstiff: ErkSolver,
  stiff: RosenbrockSolver,
  options: Partial<AutoSwitchOptions> = {},
  name = `Auto(${nonstiff?.name}, ${stiff?.name})`,
): CompositeSolver {
  checkMember(nonstiff, "erk", "non-stiff method", "autoSwitch");
  checkMember(stiff, "rosenbrock", "stiff method", name);
  for (const key of Object.keys(options)) {
    if (!(OPTION_NAMES as string[]).includes(key)) {
      throw new InvalidOptionError(
        `@udekit/ode: ${name} has no option "${key}"; its options: ${OPTION_NAMES.join(", ")}.`,
      );
    }
  }
  const switching = { ...DEFAULTS, ...options };
  for (const key of OPTION_NAMES) {
    const v = switching[key];
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
      throw new InvalidOptionError(
        `@udekit/ode: ${name}: option ${key} = ${String(v)} must be a finite number > 0.`,
      );
    }
  }
  const tab = nonstiff.tableau;
  const s = tab.stages;
  if (s < 3 || tab.c[s - 2] !== 1 || tab.c[s - 1] !== 1) {
    throw new InvalidOptionError(
      `@udekit/ode: ${name}: the stiffness estimate compares the explicit method's last two stages, which must both lie at c = 1; ${nonstiff.name}'s lie at c = ${tab.c[s - 2]}, ${tab.c[s - 1]}. Use Tsit5, DP5, Vern7 or Vern9.`,
    );
  }
  const members = [nonstiff, stiff] as const;
  const stabilitySize = realStabilitySize(tab);
  return {
    family: "composite",
    name,
    // The orders that matter to clients that read them (Gauss points of a quadrature adjoint, …) are the higher member's.
    order: Math.max(nonstiff.order, stiff.order),
    embeddedOrder: nonstiff.embeddedOrder,
    errorOrder: nonstiff.errorOrder,
    adaptive: true,
    stages: nonstiff.stages,
    fsal: false,
    stiff: true,
    interpolant: {
      name: `per step: ${nonstiff.interpolant.name} / ${stiff.interpolant.name}`,
      order: Math.min(nonstiff.interpolant.order, stiff.interpolant.order),
    },
    description: `${nonstiff.name} while the problem is non-stiff, ${stiff.name} where a stiffness estimate says it is stiff.`,
    controllerDefaults: nonstiff.controllerDefaults,
    members,
    stabilitySize,
    switching,
    createStepper: (ctx) => new AutoSwitchStepper(ctx, members, stabilitySize, switching),
  };
}

/**
 * Tsit5 with automatic switching to a stiff Rosenbrock method (DifferentialEquations.jl's
 * `AutoTsit5(Rosenbrock23())`, the recommendation at default tolerances).
 */
export function AutoTsit5(
  stiff: RosenbrockSolver,
  options: Partial<AutoSwitchOptions> = {},
): CompositeSolver {
  return autoSwitch(tsit5, stiff, options, `AutoTsit5(${stiffName(stiff)}())`);
}

/**
 * Vern7 with automatic switching to a stiff Rosenbrock method (`AutoVern7(Rodas5P())`: the
 * recommendation at tight tolerances, reltol ≲ 1e-6).
 */
export function AutoVern7(
  stiff: RosenbrockSolver,
  options: Partial<AutoSwitchOptions> = {},
): CompositeSolver {
  return autoSwitch(vern7, stiff, options, `AutoVern7(${stiffName(stiff)}())`);
}

function stiffName(stiff: unknown): string {
  return typeof stiff === "object" && stiff !== null && "name" in stiff ? String(stiff.name) : "?";
}

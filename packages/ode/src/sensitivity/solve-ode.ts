/**
 * solveOde: the ODE solve as a differentiable op of @udekit/autodiff. It returns the states
 * at the save points (one row per time) as a Tensor; its VJP runs the chosen sensitivity
 * algorithm, giving cotangents for both u0 and p, so
 * `valueAndGrad((u0, p) => loss(solveOde(f, u0, p, opts)), [0, 1])` works end to end.
 * Cotangents at the save points enter the backward pass as jumps in λ.
 */
import { defineOp, formatShape, isTensor, type Shape, ShapeError, type Tensor } from "@udekit/autodiff";
import { allocF64, axpy, freeArray, POOL_BYTES } from "@udekit/kernels";
import { closestName, type SolveOptions, saveatGrid } from "../options.js";
import type { JacobianFunction } from "../problem.js";
import { INTERNAL, ODEProblem } from "../problem.js";
import type { ReturnCode } from "../retcode.js";
import type { ODESolution, SolverStats } from "../solution.js";
import { solveInto } from "../solve.js";
import { defaultSolver, Rodas5P } from "../solvers/index.js";
import { type OdeSolver, type SdirkSolver, unknownFamily, usesJacobian } from "../stepper.js";
import { type AdjointContext, type BackwardResult, clampedForward, SUCCESS } from "./adjoint-context.js";
import { backsolveAdjoint } from "./backsolve-adjoint.js";
import { compositeDiscreteAdjoint, memberSteps } from "./composite-discrete-adjoint.js";
import {
  type DifferentiableRhs,
  differentiableRhs,
  type InPlaceOdeRhs,
  type TensorOdeRhs,
} from "./differentiable-rhs.js";
import { directBackprop } from "./direct-backprop.js";
import { checkpointedSteps, discreteAdjoint, type ForwardSteps, storedSteps } from "./discrete-adjoint.js";
import { rosenbrockDiscreteAdjoint, vjpJacobian } from "./discrete-adjoint-rosenbrock.js";
import { AdjointFailedError, SensitivityOptionError } from "./errors.js";
import { forwardSensitivity } from "./forward-sensitivity.js";
import { auditGradient, type GradientAudit } from "./gradient-audit.js";
import { interpolatingAdjoint } from "./interpolating-adjoint.js";
import { quadratureAdjoint } from "./quadrature-adjoint.js";
import { DiscreteAdjoint, InterpolatingAdjoint, type SensitivityAlgorithm } from "./sensealg.js";
import { type RecordedSteps, type RecordingPlan, solveRecordingSteps } from "./step-recorder.js";

/** What a solveOde call did; pass an object as `info` to have it filled in. */
export interface SolveOdeInfo {
  retcode?: ReturnCode;
  message?: string;
  /** Forward solve statistics; `rhsEvals` counts right-hand-side calls. */
  forward?: SolverStats & { rhsEvals: number };
  /** Backward pass statistics (filled by the VJP); `vjpEvals` counts VJP calls, `rhsEvals` RHS calls. */
  backward?: SolverStats & { rhsEvals: number; vjpEvals: number; retcode: ReturnCode; message: string };
  /** DirectBackprop: number of steps recorded on the tape. */
  tapeSteps?: number;
  /** The gradient audit's outcome (sensealg option `verify`), when it ran. */
  audit?: GradientAudit;
}

export interface SolveOdeOptions {
  /** [t0, t1]; t1 < t0 integrates backward in time. */
  tspan: readonly [number, number];
  /**
   * Times at which states are returned (rows of the result), inside tspan, in the direction of
   * integration; or a step (a number): the rows are then t0, t0 + step, …, t1 (as in solve).
   */
  saveat: ArrayLike<number> | number;
  /** Forward solver (default AutoTsit5(Rodas5P()): Tsit5 until a stiffness estimate says otherwise). */
  solver?: OdeSolver;
  reltol?: number;
  abstol?: number;
  dt?: number;
  /** Adaptive step control (default: the solver's); false with dt steps a fixed dt. */
  adaptive?: boolean;
  dtmin?: number;
  dtmax?: number;
  maxiters?: number;
  /**
   * Default (defaultSensealg): DiscreteAdjoint() after a Rosenbrock or composite (auto-switching)
   * solve, InterpolatingAdjoint() after an explicit or SDIRK one (README, "Which sensitivity method?").
   */
  sensealg?: SensitivityAlgorithm;
  /** Filled with retcodes and statistics of the forward solve and of the backward pass. */
  info?: SolveOdeInfo;
}

/**
 * The sensitivity algorithm solveOde uses when none is given. After a solve that may take stiff
 * steps (a Rosenbrock method, or a composite such as the default AutoTsit5(Rodas5P())) it is
 * the discrete adjoint: on the stiff gradient bank its backward pass takes exactly the forward
 * steps where the continuous adjoints take 1.3–4.1× as many, and at a tenfold tighter tolerance
 * it is within 3× of ForwardSensitivity's error on all 52 (case, solver, tolerance) triples;
 * on the seed linear model through the composite it makes 864 VJPs against the interpolating
 * adjoint's 3553. After an explicit method the interpolating adjoint stays the default (on the
 * seed model it is the more accurate at a given tolerance, 7.5e-7 against 6.0e-5 at 1e-6;
 * DiscreteAdjoint is faster and one option away). After an SDIRK method (TRBDF2), which has no
 * discrete adjoint, it is the interpolating adjoint (there: λ by the stiff method itself, p̄ by
 * quadrature).
 */
export function defaultSensealg(solver: OdeSolver): SensitivityAlgorithm {
  switch (solver.family) {
    case "erk":
    case "sdirk":
      return InterpolatingAdjoint();
    case "rosenbrock":
    case "composite":
      return DiscreteAdjoint();
    default:
      return unknownFamily(solver, "solveOde's default sensealg");
  }
}

/**
 * DiscreteAdjoint differentiates the method's own steps: an explicit Runge–Kutta step
 * (discrete-adjoint.ts) or a Rosenbrock step (discrete-adjoint-rosenbrock.ts), a composite's
 * members one run at a time. An SDIRK step has none yet (it would have to differentiate the
 * converged Newton stages through W); the error says what to use instead.
 */
function checkDiscreteAdjointFamily(solver: OdeSolver): void {
  switch (solver.family) {
    case "erk":
    case "rosenbrock":
    case "composite":
      return;
    case "sdirk":
      noDiscreteAdjoint(solver);
      break;
    default:
      unknownFamily(solver, "DiscreteAdjoint");
  }
}

function noDiscreteAdjoint(solver: SdirkSolver): never {
  throw new SensitivityOptionError(
    `solveOde: DiscreteAdjoint differentiates the solver's own steps and has no reverse step for the SDIRK family (${solver.name}). Use InterpolatingAdjoint() (the default after ${solver.name}), QuadratureAdjoint() or ForwardSensitivity(), or a Rosenbrock method with DiscreteAdjoint: solver: Rodas5P() or Rosenbrock23().`,
  );
}

const OPTION_NAMES = [
  "tspan",
  "saveat",
  "solver",
  "reltol",
  "abstol",
  "dt",
  "adaptive",
  "dtmin",
  "dtmax",
  "maxiters",
  "sensealg",
  "info",
] as const;
const FORWARD_OPTIONS = ["reltol", "abstol", "dt", "dtmin", "dtmax", "maxiters"] as const;
/** The stepping options of the forward solve (and the defaults of every backward pass). */
export type ForwardOptions = Partial<Record<(typeof FORWARD_OPTIONS)[number], number>> & {
  adaptive?: boolean;
};
const ALGORITHMS = [
  "InterpolatingAdjoint",
  "QuadratureAdjoint",
  "BacksolveAdjoint",
  "ForwardSensitivity",
  "DiscreteAdjoint",
  "DirectBackprop",
];
/** Stepping options a sensealg may set for its own pass (each defaults to the forward value). */
const BACKWARD_OPTIONS = ["reltol", "abstol", "dt", "dtmin", "dtmax", "maxiters"] as const;
const SENSEALG_OPTIONS: Record<string, readonly string[]> = {
  InterpolatingAdjoint: ["solver", ...BACKWARD_OPTIONS, "verify", "checkpointing"],
  QuadratureAdjoint: ["solver", ...BACKWARD_OPTIONS, "verify", "points"],
  BacksolveAdjoint: ["solver", ...BACKWARD_OPTIONS, "verify", "checkTolerance"],
  ForwardSensitivity: ["solver", ...BACKWARD_OPTIONS, "verify"],
  DiscreteAdjoint: ["checkpoints", "storeBytes", "verify"],
  DirectBackprop: [],
};

interface Resolved {
  tspan: readonly [number, number];
  saveat: Float64Array;
  solver: OdeSolver;
  forwardOptions: ForwardOptions;
  sensealg: SensitivityAlgorithm;
  info: SolveOdeInfo | undefined;
}

function resolve(options: SolveOdeOptions, f: TensorOdeRhs | InPlaceOdeRhs): SolveAttrs {
  if (options === null || typeof options !== "object") {
    throw new SensitivityOptionError(
      "solveOde: the fourth argument must be an options object with at least tspan and saveat.",
    );
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      const near = closestName(key, OPTION_NAMES);
      throw new SensitivityOptionError(
        `solveOde: unknown option "${key}"${near ? ` (did you mean "${near}"?)` : ""}. Valid options: ${OPTION_NAMES.join(", ")}.`,
      );
    }
  }
  const { tspan } = options;
  if (!Array.isArray(tspan) || tspan.length !== 2 || !tspan.every(Number.isFinite) || tspan[0] === tspan[1]) {
    throw new SensitivityOptionError(
      `solveOde: tspan must be [t0, t1] with two different finite numbers; got ${JSON.stringify(tspan)}.`,
    );
  }
  const [t0, t1] = tspan as [number, number];
  const dir = Math.sign(t1 - t0);
  const given: unknown = options.saveat;
  if (typeof given === "number") {
    // A step, as in solve(): the rows are t0, t0 + step, …, t1.
    if (!(given > 0) || !Number.isFinite(given)) {
      throw new SensitivityOptionError(
        `solveOde: saveat = ${given} as a step must be a finite number > 0 (or pass the times as an array, e.g. [1, 2, 3, 4]).`,
      );
    }
  } else if (
    given === undefined ||
    given === null ||
    typeof (given as ArrayLike<number>).length !== "number" ||
    (given as ArrayLike<number>).length === 0
  ) {
    throw new SensitivityOptionError(
      "solveOde: saveat must be a non-empty array of times inside tspan (the rows of the result), e.g. [1, 2, 3, 4], or a step (a number: the rows are t0, t0 + step, …, t1).",
    );
  }
  const saveat =
    typeof given === "number" ? saveatGrid(t0, t1, given) : Float64Array.from(given as ArrayLike<number>);
  for (let k = 0; k < saveat.length; k++) {
    const s = saveat[k];
    if (!Number.isFinite(s) || dir * (s - t0) < 0 || dir * (t1 - s) < 0) {
      throw new SensitivityOptionError(`solveOde: saveat[${k}] = ${s} is not inside tspan [${t0}, ${t1}].`);
    }
    if (k > 0 && dir * (s - saveat[k - 1]) < 0) {
      throw new SensitivityOptionError(
        `solveOde: saveat must be ordered from t0 to t1; saveat[${k - 1}] = ${saveat[k - 1]} comes after saveat[${k}] = ${s}.`,
      );
    }
  }
  // Every key present (undefined when not given): one object shape for every call (and see
  // solveOptionsOf for how the forward solve gets them).
  const forwardOptions: ForwardOptions = {
    reltol: options.reltol,
    abstol: options.abstol,
    dt: options.dt,
    dtmin: options.dtmin,
    dtmax: options.dtmax,
    maxiters: options.maxiters,
    adaptive: options.adaptive,
  };
  const solver = options.solver ?? defaultSolver();
  if (typeof solver === "function") {
    const name = (solver as { name?: string }).name || "Tsit5";
    throw new SensitivityOptionError(
      `solveOde: solver must be a method value such as Tsit5(); got the factory ${name} itself. Call it: solver: ${name}().`,
    );
  }
  const sensealg = options.sensealg ?? defaultSensealg(solver);
  if (typeof sensealg === "function") {
    throw new SensitivityOptionError(
      "solveOde: sensealg must be a sensitivity algorithm value such as InterpolatingAdjoint(); got the function itself. Call it: sensealg: InterpolatingAdjoint().",
    );
  }
  if (!ALGORITHMS.includes(sensealg?.kind)) {
    throw new SensitivityOptionError(
      `solveOde: sensealg must be one of ${ALGORITHMS.map((a) => `${a}()`).join(", ")}; got ${JSON.stringify(sensealg)}.`,
    );
  }
  const allowed = SENSEALG_OPTIONS[sensealg.kind];
  for (const key of Object.keys(sensealg)) {
    if (key === "kind" || allowed.includes(key)) continue;
    const near = closestName(key, allowed);
    throw new SensitivityOptionError(
      `solveOde: ${sensealg.kind} has no option "${key}"${near ? ` (did you mean "${near}"?)` : ""}. Its options: ${allowed.join(", ") || "none"}.`,
    );
  }
  if (sensealg.kind === "DiscreteAdjoint") {
    checkDiscreteAdjointFamily(solver);
    const K = sensealg.checkpoints;
    if (K !== undefined && !(Number.isInteger(K) && K >= 2)) {
      throw new SensitivityOptionError(
        `solveOde: DiscreteAdjoint({ checkpoints }) must be a whole number ≥ 2 (states kept); got ${K}.`,
      );
    }
    const bytes = sensealg.storeBytes;
    if (bytes !== undefined && !(typeof bytes === "number" && bytes >= 0)) {
      throw new SensitivityOptionError(
        `solveOde: DiscreteAdjoint({ storeBytes }) must be a number of bytes ≥ 0 (Infinity: never switch to checkpoints); got ${bytes}.`,
      );
    }
    if (bytes !== undefined && solver.family === "composite") {
      throw new SensitivityOptionError(
        `solveOde: DiscreteAdjoint({ storeBytes }) bounds one method's stage store, but ${solver.name} keeps its dense output, tagged per method, for every step. Drop storeBytes, or pass a single method: solver: ${solver.members[1].name}() (or ${solver.members[0].name}()).`,
      );
    }
    if (bytes !== undefined && K !== undefined) {
      throw new SensitivityOptionError(
        "solveOde: DiscreteAdjoint takes checkpoints or storeBytes, not both: checkpoints keeps that many states from the start; storeBytes keeps every step's stages up to that size and then switches to checkpoints.",
      );
    }
  }
  // A literal of fixed keys, f included: the op reads these attrs many times per call, and V8
  // reads a spread copy's properties several times slower (see solveOptionsOf).
  return {
    tspan: [t0, t1],
    saveat,
    solver,
    forwardOptions,
    sensealg,
    info: options.info,
    f,
  };
}

interface SolveAttrs extends Resolved {
  f: TensorOdeRhs | InPlaceOdeRhs;
}

interface Saved {
  rhs: DifferentiableRhs;
  sol: ODESolution;
  p: Float64Array;
  u0: Float64Array;
  recorded: RecordedSteps;
  /** True once a pullback handed the dense output back (release()). */
  released: boolean;
}

function checkShapes(shapes: readonly Shape[], attrs: SolveAttrs): Shape {
  const [u0] = shapes;
  if (u0.length !== 1) {
    throw new ShapeError(
      `solveOde: u0 must be a vector [n]; got shape ${formatShape(u0)}. Reshape it to [${u0.reduce((a, b) => a * b, 1)}].`,
    );
  }
  return [attrs.saveat.length, u0[0]];
}

/** Whether the method reads the forward solve's dense output (a composite's DiscreteAdjoint reads its tagged store). */
function needsDense(alg: SensitivityAlgorithm, solver: OdeSolver): boolean {
  return (
    (alg.kind === "InterpolatingAdjoint" && alg.checkpointing !== true) ||
    alg.kind === "QuadratureAdjoint" ||
    (alg.kind === "DiscreteAdjoint" && alg.checkpoints === undefined && solver.family === "composite")
  );
}

const NOT_RECORDED: RecordedSteps = { steps: new Float64Array(0), hs: new Float64Array(0), release() {} };

/** What DiscreteAdjoint has the forward solve record (its own stage store, or checkpoints). */
function recordingPlan(alg: SensitivityAlgorithm, solver: OdeSolver): RecordingPlan {
  if (alg.kind !== "DiscreteAdjoint") return {};
  if (alg.checkpoints !== undefined) return { checkpoints: alg.checkpoints };
  if (solver.family === "composite") return {};
  return { storeBytes: alg.storeBytes ?? DEFAULT_STORE_BYTES };
}

/**
 * DiscreteAdjoint's default stage-store budget: 7/8 of the buffer pool (224 of 256 MiB), so the
 * store and the gradient's other large arrays come back warm call after call. Measured at the
 * pool's edge (gradbench ode, n = 10⁵, RK4): a 245 MB store 312 ms per gradient; a 337 MB one,
 * fresh pages each call, 1 427 ms, where 23 checkpoints took 607 ms.
 */
const DEFAULT_STORE_BYTES = (7 / 8) * POOL_BYTES;

/**
 * The forward solve's message, naming a non-finite parameter when the solve failed and p has
 * one: f of a compiled tensor program is not probed before the solve (problem.ts, rhsChecked), so
 * a NaN in p (say from a diverged optimiser step) shows up only as a non-finite state at t0.
 */
function forwardMessage(sol: ODESolution, p: Float64Array): string {
  if (sol.retcode === "Success") return sol.message;
  for (let i = 0; i < p.length; i++) {
    if (!Number.isFinite(p[i])) {
      return `${sol.message} The parameters are not finite: p[${i}] = ${p[i]} (the first such entry); pass finite parameters (after an optimiser step, check its learning rate).`;
    }
  }
  return sol.message;
}

const solveOp = defineOp<SolveAttrs>({
  name: "ode.solve",
  shape: checkShapes,
  forward(ctx) {
    const a = ctx.attrs;
    const rhs = differentiableRhs(a.f, ctx.inputs[0], ctx.inputs[1], ctx.inputShapes[1], a.tspan[0]);
    const f0 = rhs.counts.f;
    // A plain evaluation (no tape records it) keeps no dense output: no VJP will read it.
    // The solve writes its save points into the op's output (a failed one: its leading rows).
    const saved = forwardSolve(a, rhs, ctx.inputs[0], ctx.inputs[1], ctx.recorded !== false, ctx.out);
    const { sol } = saved;
    // Rows the solve did not reach are NaN.
    ctx.out.fill(Number.NaN, sol.u.length);
    ctx.saved = saved;
    if (a.info !== undefined) {
      a.info.retcode = sol.retcode;
      a.info.message = forwardMessage(sol, ctx.inputs[1]);
      a.info.forward = { ...sol.stats, rhsEvals: rhs.counts.f - f0 };
    }
  },
  vjp(ctx, g, inputGrads) {
    const a = ctx.attrs;
    let saved = ctx.saved as Saved;
    // A second pullback after the first released the dense output: solve again (same steps)
    // if this method reads it.
    if (saved.released && (needsDense(a.sensealg, a.solver) || a.sensealg.kind === "DiscreteAdjoint")) {
      saved = forwardSolve(a, saved.rhs, saved.u0, saved.p, true);
      ctx.saved = saved;
    }
    try {
      solveOpVjp(a, saved, g, inputGrads);
    } finally {
      // Hand the dense output's arena buffers back now: a training loop never yields to the
      // finalisers that would, and a full arena makes every kernel call copy its operands.
      saved.sol.release();
      saved.recorded.release();
      saved.released = true;
    }
  },
});

/**
 * The forward solve's options as one object literal of fixed keys. resolveOptions took 2.0 µs on
 * a spread copy ({ ...forwardOptions, saveat }) against 0.2 µs on such a literal (measured in a
 * loop; why V8 reads the copies' properties so much slower was not pinned down): a fifth of a
 * small solveOde.
 */
function solveOptionsOf(fwd: ForwardOptions, saveat: Float64Array, dense: boolean | undefined): SolveOptions {
  return {
    reltol: fwd.reltol,
    abstol: fwd.abstol,
    dt: fwd.dt,
    dtmin: fwd.dtmin,
    dtmax: fwd.dtmax,
    maxiters: fwd.maxiters,
    adaptive: fwd.adaptive,
    saveat,
    dense,
  };
}

/** The forward solve of solveOp, recording what its sensitivity method needs. */
function forwardSolve(
  a: SolveAttrs,
  rhs: DifferentiableRhs,
  u0: Float64Array,
  p: Float64Array,
  differentiable: boolean,
  output?: Float64Array,
): Saved {
  // The inputs' arrays are used as they are (no copies): nothing writes them while the solve
  // and its pullback read them.
  // A tensor f is a compiled program of known output length: no first-call probe (an in-place
  // pair { f, vjp } is the user's own code and keeps it).
  const problemOptions = {
    kind: "inplace" as const,
    jac: forwardJacobian(rhs, a.solver),
    [INTERNAL]: { shareArrays: true, rhsChecked: typeof a.f === "function" },
  };
  const problem = new ODEProblem(rhs.inPlace, u0, a.tspan, p, problemOptions);
  rhs.prepare(problem.p);
  if (!differentiable) {
    // A plain evaluation: no VJP will read its steps, so none are recorded (no stepper hooks).
    const sol = solveInto(problem, a.solver, solveOptionsOf(a.forwardOptions, a.saveat, undefined), output);
    return { rhs, sol, p: problem.p, u0: problem.u0, recorded: NOT_RECORDED, released: false };
  }
  const { sol, recorded } = solveRecordingSteps(
    problem,
    a.solver,
    solveOptionsOf(a.forwardOptions, a.saveat, needsDense(a.sensealg, a.solver)),
    recordingPlan(a.sensealg, a.solver),
    output,
  );
  return { rhs, sol, p: problem.p, u0: problem.u0, recorded, released: false };
}

function solveOpVjp(a: SolveAttrs, saved: Saved, g: Float64Array, inputGrads: (Float64Array | null)[]): void {
  // In the kernels' arena (freed once added into the input cotangents, or on a throw): fresh
  // large arrays per gradient are slow to touch, and the backward passes add into these with
  // axpy, which would copy an ordinary array in and out on every call.
  const u0Bar = allocF64(saved.rhs.n);
  const pBar = allocF64(saved.rhs.np);
  try {
    backward(a, saved, g, u0Bar, pBar);
    if (inputGrads[0] !== null) axpy(saved.rhs.n, 1, u0Bar, inputGrads[0]);
    if (inputGrads[1] !== null) axpy(saved.rhs.np, 1, pBar, inputGrads[1]);
  } finally {
    freeArray(u0Bar);
    freeArray(pBar);
  }
}

/** Runs the chosen backward pass into u0Bar and pBar (NaN after a failed forward solve); throws AdjointFailedError when it fails. */
function backward(
  a: SolveAttrs,
  saved: Saved,
  g: Float64Array,
  u0Bar: Float64Array,
  pBar: Float64Array,
): void {
  const { rhs, sol, p, u0, recorded } = saved;
  const { n } = rhs;
  const stats: SolverStats = { nf: 0, njac: 0, nlu: 0, naccept: 0, nreject: 0 };
  const f0 = rhs.counts.f;
  const v0 = rhs.counts.vjp;
  let result: BackwardResult;
  const alg = a.sensealg as Exclude<SensitivityAlgorithm, { kind: "DirectBackprop" }>;
  const stepping = backwardStepping(a, alg);
  rhs.prepare(p);
  const forwardFailed = sol.retcode !== "Success";
  if (forwardFailed) {
    result = { retcode: sol.retcode, message: `the forward solve failed: ${forwardMessage(sol, p)}` };
  } else {
    const fwd = a.forwardOptions;
    const actx: AdjointContext = {
      rhs,
      p,
      u0,
      t0: a.tspan[0],
      saveat: a.saveat,
      cotangent: g,
      saved: sol.u,
      dense: sol.dense ? clampedForward(sol, a.tspan[0], a.saveat[a.saveat.length - 1]) : undefined,
      forwardSteps: recorded.steps,
      resolve: (tA, uA, tB) => {
        const local = new ODEProblem(rhs.inPlace, uA, [tA, tB], p, {
          kind: "inplace",
          jac: forwardJacobian(rhs, a.solver),
        });
        const piece = solveRecordingSteps(local, a.solver, { ...fwd, dense: true, saveEverystep: false });
        if (piece.sol.retcode !== "Success") {
          throw new SensitivityOptionError(
            `solveOde: re-solving a checkpoint interval failed: ${piece.sol.message}`,
          );
        }
        return {
          dense: clampedForward(piece.sol, tA, tB),
          steps: piece.recorded.steps,
          release: () => piece.sol.release(),
        };
      },
      solver: ("solver" in alg ? alg.solver : undefined) ?? backwardSolver(a.solver, sol, alg.kind),
      stepping,
      u0Bar,
      pBar,
      stats,
    };
    const last = a.saveat[a.saveat.length - 1];
    if (last === a.tspan[0]) {
      // Every save point is t0: the solution there is u0 itself.
      for (let k = 0; k < a.saveat.length; k++) for (let i = 0; i < n; i++) u0Bar[i] += g[k * n + i];
      result = SUCCESS;
    } else {
      result = runSensitivity(actx, alg, sol, recorded);
    }
  }
  if (a.info !== undefined) {
    a.info.backward = {
      ...stats,
      rhsEvals: rhs.counts.f - f0,
      vjpEvals: rhs.counts.vjp - v0,
      retcode: result.retcode,
      message: result.message,
    };
  }
  if (forwardFailed) {
    // The forward failure is already a retcode with NaN rows (and a NaN loss); the gradient
    // is NaN too, never a finite number.
    u0Bar.fill(Number.NaN);
    pBar.fill(Number.NaN);
  } else if (result.retcode !== "Success") {
    if (a.info !== undefined) {
      a.info.retcode = result.retcode;
      a.info.message = result.message;
    }
    throw new AdjointFailedError(alg.kind, result.retcode, result.t, result.message);
  } else {
    const key = alg.verify === false ? undefined : defaultAuditKey(a, sol, alg.kind, stepping);
    const byDefault = alg.verify === undefined ? key : undefined;
    if (byDefault === undefined && (alg.verify === undefined || alg.verify === false)) return;
    const audit = auditGradient({
      rhs,
      p,
      u0,
      tspan: a.tspan,
      saveat: a.saveat,
      cotangent: g,
      u0Bar,
      pBar,
      solver: a.solver,
      stepping: { ...a.forwardOptions, reltol: stepping.reltol, abstol: stepping.abstol },
      method: alg.kind,
      threshold: typeof alg.verify === "number" ? alg.verify : undefined,
      // The default audit reports a tangent solve that could not finish instead of throwing:
      // it was not asked for, and the gradient may well be right (ForwardSensitivity, which
      // integrates the same kind of system, fails there too).
      uncheckedThrows: byDefault === undefined,
    });
    // An audit asked for (verify: true) that passed counts too: the next default one is skipped.
    if (key !== undefined && audit.unchecked === undefined) markAudited(a.f, key);
    if (a.info !== undefined) a.info.audit = audit;
  }
}

/**
 * Gradients audited by default: after a solve that took stiff steps, the first gradient of each
 * (right-hand side, solver, sensealg, tolerances) is checked (verify unset), since a stiff
 * solve's gradient can be far off while every pass succeeds (Van der Pol μ = 10³: 27–36 % off
 * with Rodas5P at 1e-6, 200–450 % with Rosenbrock23 at 1e-7). Keys that passed are remembered
 * per right-hand side, so a training loop pays once; a mismatch throws and is not remembered.
 */
const auditedByDefault = new WeakMap<object, Set<string>>();

function defaultAuditKey(
  a: SolveAttrs,
  sol: ODESolution,
  kind: SensitivityAlgorithm["kind"],
  stepping: { reltol?: number; abstol?: number },
): string | undefined {
  const stiff =
    a.solver.family === "composite" ? (sol.stats.switches?.length ?? 0) > 0 : usesJacobian(a.solver);
  if (!stiff) return undefined;
  const key = `${a.solver.name} ${kind} ${stepping.reltol} ${stepping.abstol} ${a.forwardOptions.reltol} ${a.forwardOptions.abstol}`;
  return auditedByDefault.get(a.f)?.has(key) === true ? undefined : key;
}

function markAudited(f: object, key: string): void {
  let keys = auditedByDefault.get(f);
  if (keys === undefined) {
    keys = new Set();
    auditedByDefault.set(f, keys);
  }
  keys.add(key);
}

/**
 * The forward solve's Jacobian for a method that uses one (Rosenbrock, SDIRK, a composite's stiff
 * member): exact, row i from the VJP with cotangent eᵢ (n VJPs), rather than the engine's finite
 * differences — the discrete adjoint differentiates the step with the exact J, and it is more
 * accurate for every method (SDIRK: its Newton iterations converge faster).
 */
function forwardJacobian(rhs: DifferentiableRhs, solver: OdeSolver): JacobianFunction | undefined {
  if (!usesJacobian(solver)) return undefined;
  const e = new Float64Array(rhs.n);
  const row = new Float64Array(rhs.n);
  return (J, u, q, t) => vjpJacobian(rhs, J, u, q, t, e, row);
}

/** The backward pass's stepping options: the sensealg's own, else the forward solve's. */
function backwardStepping(
  a: SolveAttrs,
  alg: Exclude<SensitivityAlgorithm, { kind: "DirectBackprop" }>,
): AdjointContext["stepping"] {
  const fwd = a.forwardOptions;
  const own = alg as Partial<Record<(typeof BACKWARD_OPTIONS)[number], number>>;
  const pick = (key: (typeof BACKWARD_OPTIONS)[number]): number | undefined => own[key] ?? fwd[key];
  const stepping: { -readonly [K in keyof AdjointContext["stepping"]]: AdjointContext["stepping"][K] } = {
    reltol: pick("reltol") ?? 1e-3,
    abstol: pick("abstol") ?? 1e-6,
  };
  for (const key of ["dt", "dtmin", "dtmax", "maxiters"] as const) {
    const v = pick(key);
    if (v !== undefined) stepping[key] = v;
  }
  // A fixed-step forward solve gets a fixed-step backward pass (with its dt, or the sensealg's).
  if (fwd.adaptive !== undefined) stepping.adaptive = fwd.adaptive;
  return stepping;
}

/** Runs the chosen sensitivity method (all of them add into actx.u0Bar / actx.pBar on success). */
function runSensitivity(
  actx: AdjointContext,
  alg: Exclude<SensitivityAlgorithm, { kind: "DirectBackprop" }>,
  sol: ODESolution,
  recorded: RecordedSteps,
): BackwardResult {
  switch (alg.kind) {
    case "InterpolatingAdjoint":
      return interpolatingAdjoint(actx, alg.checkpointing === true);
    case "QuadratureAdjoint":
      return quadratureAdjoint(
        actx,
        alg.points ?? Math.ceil((actx.solver.order + 1) / 2),
        false,
        "QuadratureAdjoint",
      );
    case "BacksolveAdjoint":
      return backsolveAdjoint(actx, alg.checkTolerance ?? Math.max(1e3 * actx.stepping.reltol, 1e-6));
    case "ForwardSensitivity":
      return forwardSensitivity(actx);
    case "DiscreteAdjoint": {
      const solver = actx.solver;
      if (solver.family === "composite") {
        // A composite that switched: its members' walks, segment by segment, on the stored steps.
        const store = sol.denseStore;
        if (recorded.states !== undefined || store === undefined) {
          throw new SensitivityOptionError(
            `solveOde: DiscreteAdjoint({ checkpoints }) recomputes one method's steps, but this ${solver.name} solve switched methods (${describeSwitches(sol)}). Drop checkpoints (the steps are then stored), use InterpolatingAdjoint({ checkpointing: true }), or pass a single method: solver: ${solver.members[1].name}().`,
          );
        }
        return compositeDiscreteAdjoint(actx, solver, store, recorded.hs);
      }
      // (An SDIRK solver was refused before the forward solve, in resolve.)
      if (solver.family === "sdirk") return noDiscreteAdjoint(solver);
      const steps = discreteSteps(actx, solver, sol, recorded);
      let result: BackwardResult;
      switch (solver.family) {
        case "erk":
          result = discreteAdjoint(actx, solver, steps);
          break;
        case "rosenbrock":
          result = rosenbrockDiscreteAdjoint(actx, solver, steps);
          break;
        default:
          return unknownFamily(solver, "DiscreteAdjoint");
      }
      if ("segmentStats" in steps) actx.stats.nf += (steps.segmentStats as SolverStats).nf;
      steps.release?.();
      return result;
    }
  }
}

/** The forward steps as DiscreteAdjoint reads them: from the dense store, or recomputed from checkpoints. */
function discreteSteps(
  actx: AdjointContext,
  solver: OdeSolver,
  sol: ODESolution,
  recorded: RecordedSteps,
): ForwardSteps {
  const n = actx.rhs.n;
  const ts = Float64Array.from([actx.t0, ...recorded.steps]);
  if (recorded.states !== undefined && recorded.stride !== undefined) {
    const rhs = actx.rhs;
    return checkpointedSteps(
      solver,
      rhs.inPlace,
      forwardJacobian(rhs, solver),
      actx.p,
      n,
      ts,
      recorded.hs,
      recorded.states,
      recorded.stride,
    );
  }
  if (recorded.store !== undefined) {
    const { us, ks, width } = recorded.store;
    return storedSteps(ts, recorded.hs, us, ks, width, n);
  }
  const store = sol.denseStore;
  if (store === undefined)
    throw new SensitivityOptionError("solveOde: DiscreteAdjoint lost its forward steps.");
  if (solver.family === "erk" && store.width !== solver.tableau.endStage + 1) {
    // An automatic composite's store that never left its explicit member: each step's block
    // is one tag vector, then the member's stages (auto/auto-switch-stepper.ts).
    return memberSteps(
      store.ts,
      recorded.hs,
      store.us,
      store.ks,
      store.width,
      solver.tableau.endStage + 1,
      n,
    );
  }
  return storedSteps(store.ts, recorded.hs, store.us, store.ks, store.width, n);
}

/**
 * The method the backward pass integrates with when the sensealg names none: the forward
 * solver, except that
 * - an automatic composite whose forward solve never left its explicit member hands over that
 *   member (its steps were exactly that method's: the stage adjoint, DirectBackprop,
 *   BacksolveAdjoint and DiscreteAdjoint then work as with it); a composite that switched
 *   integrates the adjoint system with itself (it detects the adjoint's own stiffness; the
 *   continuous adjoints take the quadrature route with the exact Jacobian);
 * - after a Rosenbrock or SDIRK solve, the continuous adjoints integrate λ with Rodas5P. Its
 *   backward steps are bounded by the forward steps anyway, so a higher order costs no extra
 *   steps, and it takes fewer where λ's own error control sets them. With the order-2 methods
 *   themselves λ carried a second-order method's global error (Robertson after Rosenbrock23:
 *   48–171× ForwardSensitivity's error, with Rodas5P 0.2–1.0×; the fast Oregonator after TRBDF2
 *   at 1e-8: 7.3× → 2.9×). After Rodas4, on the stiff gradient bank, Rodas5P took 1.2–2.4
 *   backward steps per forward step against Rodas4's 1.4–3.9, in less time on all 18 (case,
 *   tolerance) pairs, with a smaller error at 1e-8 (Van der Pol 11–12× → 2.8–3.0×
 *   ForwardSensitivity's, the long Oregonator 234× → 39×) and a larger one on Van der Pol at
 *   1e-6 (0.4–1.7× → 3.3–3.5×, where ForwardSensitivity itself is 1–2 % off).
 *   DiscreteAdjoint and ForwardSensitivity keep the forward method (they differentiate, or
 *   integrate alongside, the forward steps).
 */
function backwardSolver(solver: OdeSolver, sol: ODESolution, kind: SensitivityAlgorithm["kind"]): OdeSolver {
  if (solver.family === "composite") {
    return (sol.stats.switches?.length ?? 0) === 0 ? solver.members[0] : solver;
  }
  const integratesLambda = kind === "InterpolatingAdjoint" || kind === "QuadratureAdjoint";
  if (integratesLambda && solver.family !== "erk") return Rodas5P();
  return solver;
}

function describeSwitches(sol: ODESolution): string {
  const sw = sol.stats.switches ?? [];
  return sw.map((s) => `${s.from} → ${s.to} at t = ${s.t.toPrecision(6)}`).join(", ");
}

/**
 * The states at `saveat` (a Tensor of shape [saveat.length, n]) of du/dt = f(u, p, t),
 * u(t0) = u0, differentiable with respect to u0 and p by the method in `options.sensealg`.
 *
 * `f` is a tensor function `(u, p, t) => Tensor` (t is a rank-0 tensor; VJPs come from a
 * compiled tape, so f must be a pure tensor program), or `{ f, vjp }` with an in-place
 * `f(du, u, p, t)` and `vjp(uBar, pBar, λ, u, p, t)` writing (∂f/∂u)ᵀλ and (∂f/∂p)ᵀλ.
 * `p` may have any shape (e.g. a matrix); its gradient has the same shape.
 *
 * A failed forward solve does not throw: the rows it did not reach are NaN and
 * `options.info.retcode` says what happened (likewise for the backward pass, whose
 * gradients are then NaN). BacksolveAdjoint throws AdjointInstabilityError when its
 * reverse-time reconstruction of u disagrees with the forward solution.
 */
export function solveOde(
  f: TensorOdeRhs | InPlaceOdeRhs,
  u0: Tensor,
  p: Tensor,
  options: SolveOdeOptions,
): Tensor {
  const r = resolve(options, f);
  checkTensor("u0", u0);
  checkTensor("p", p);
  if (typeof f !== "function" && (typeof f?.f !== "function" || typeof f?.vjp !== "function")) {
    throw new SensitivityOptionError(
      "solveOde: f must be a tensor function (u, p, t) => Tensor, or { f: (du, u, p, t) => void, vjp: (uBar, pBar, lambda, u, p, t) => void }.",
    );
  }
  if (r.sensealg.kind === "DirectBackprop") {
    checkShapes([u0.shape, p.shape], r);
    const rhs = differentiableRhs(f, u0.data, p.data, p.shape, r.tspan[0]);
    rhs.prepare(p.data);
    const f0 = rhs.counts.f;
    const out = directBackprop({
      f: typeof f === "function" ? f : undefined,
      rhs,
      u0,
      p,
      tspan: r.tspan,
      saveat: r.saveat,
      solver: r.solver,
      forwardOptions: r.forwardOptions,
    });
    if (r.info !== undefined) {
      r.info.retcode = out.retcode as ReturnCode;
      r.info.message = out.message;
      r.info.tapeSteps = out.steps;
      r.info.forward = {
        nf: rhs.counts.f - f0,
        njac: 0,
        nlu: 0,
        naccept: out.steps,
        nreject: out.rejected,
        rhsEvals: rhs.counts.f - f0,
      };
    }
    return out.states;
  }
  return solveOp([u0, p], r);
}

function checkTensor(name: string, x: unknown): void {
  if (!isTensor(x)) {
    throw new SensitivityOptionError(
      `solveOde: ${name} must be a Tensor (got ${x === null ? "null" : typeof x}); wrap numbers and arrays with tensor(...) from @udekit/autodiff.`,
    );
  }
}

/**
 * solve(problem, solver, options): drives an integrator (integrator.ts) to the end of the
 * time span and collects the output. `saveat` times are served by each step's dense output
 * (steps are never shortened to hit them); `tstops` are stepped to exactly. Failures return
 * the partial solution with a retcode; nothing is thrown from inside the loop.
 */
import { giveBuffer, takeZeroed } from "@udekit/kernels";
import { ODEIntegrator } from "./integrator.js";
import type { SolveOptions } from "./options.js";
import type { ODEProblem } from "./problem.js";
import { type DenseData, firstDenseSteps, GrowableBuffer, ODESolution } from "./solution.js";
import { defaultSolver } from "./solvers/index.js";
import type { OdeSolver } from "./stepper.js";
import { releaseWorkspace } from "./workspace.js";

/**
 * Solves the problem with `solver`, or without one with the automatic default
 * `AutoTsit5(Rodas5P())` (solvers/auto-switch.ts): `solve(problem)`,
 * `solve(problem, { reltol: 1e-6 })` or `solve(problem, Rodas5P(), { reltol: 1e-6 })`.
 */
export function solve(problem: ODEProblem, solver?: OdeSolver, options?: SolveOptions): ODESolution;
export function solve(problem: ODEProblem, options: SolveOptions): ODESolution;
export function solve(
  problem: ODEProblem,
  solverOrOptions?: OdeSolver | SolveOptions,
  maybeOptions: SolveOptions = {},
): ODESolution {
  // A plain object that is not a solver (no createStepper, not a factory) is the options.
  const isOptions =
    solverOrOptions !== null &&
    typeof solverOrOptions === "object" &&
    !("createStepper" in solverOrOptions) &&
    !("family" in solverOrOptions);
  const solver =
    solverOrOptions === undefined || isOptions ? defaultSolver() : (solverOrOptions as OdeSolver);
  const options = isOptions ? (solverOrOptions as SolveOptions) : maybeOptions;
  return solveInto(problem, solver, options);
}

/**
 * solve, writing the saveat states into `output` (saveat.length × n, row by row) rather than a
 * fresh array; sol.u is then `output` (or its leading rows when the solve stopped early, the
 * rest left as it was). Internal: solveOde's forward solve writes its op's output in place.
 */
export function solveInto(
  problem: ODEProblem,
  solver: OdeSolver,
  options: SolveOptions,
  output?: Float64Array,
): ODESolution {
  const integ = new ODEIntegrator(problem, solver, options);
  const opts = integ.options;
  const n = problem.n;
  const dir = integ.direction;
  const saveat = opts.saveat;
  const outU =
    saveat === undefined
      ? new GrowableBuffer(Math.max(2, Math.min(64, Math.floor(65536 / n))) * n)
      : undefined;
  const outT: number[] = [];
  if (output !== undefined && (saveat === undefined || output.length !== saveat.length * n)) {
    throw new RangeError(`solveInto: output has ${output.length} entries, not saveat.length × n.`);
  }
  const savedU = saveat === undefined ? undefined : (output ?? new Float64Array(saveat.length * n));
  const scratch = takeZeroed(n);
  let saveIdx = 0;
  const width = integ.stepper.denseVectors;
  // Room for a first few steps (firstDenseSteps); the buffers double as needed.
  const fixedSteps =
    !opts.adaptive && opts.dt !== undefined
      ? Math.ceil(Math.abs(integ.t1 - integ.t0) / opts.dt) + opts.tstops.length + 1
      : 0;
  // A fixed-step solve knows its step count: its stores are sized once (no doubling copies).
  const firstSteps = fixedSteps > 0 ? fixedSteps : firstDenseSteps(n, width);
  const denseT = opts.dense ? new GrowableBuffer(firstSteps + 1) : undefined;
  const denseU = opts.dense ? new GrowableBuffer((firstSteps + 1) * n) : undefined;
  const denseK = opts.dense ? new GrowableBuffer(firstSteps * n * width) : undefined;

  const t0 = integ.t;
  if (denseT !== undefined && denseU !== undefined) {
    denseT.pushScalar(t0);
    denseU.push(integ.u);
  }
  if (saveat !== undefined && savedU !== undefined) {
    while (saveIdx < saveat.length && saveat[saveIdx] === t0) {
      savedU.set(integ.u, saveIdx * n);
      saveIdx++;
    }
  } else if (outU !== undefined) {
    outT.push(t0);
    outU.push(integ.u);
  }

  while (integ.step()) {
    const t = integ.t;
    if (denseT !== undefined && denseU !== undefined && denseK !== undefined) {
      denseT.pushScalar(t);
      denseU.push(integ.u);
      denseK.reserve(width * n);
      integ.stepper.saveDense(denseK.data, denseK.length);
      denseK.length += width * n;
    }
    if (saveat !== undefined && savedU !== undefined) {
      while (saveIdx < saveat.length && dir * (saveat[saveIdx] - t) <= 0) {
        const ts = saveat[saveIdx];
        if (ts === t) savedU.set(integ.u, saveIdx * n);
        else {
          integ.interpolate(ts, scratch);
          savedU.set(scratch, saveIdx * n);
        }
        saveIdx++;
      }
    } else if (outU !== undefined && (opts.saveEverystep || integ.done)) {
      outT.push(t);
      outU.push(integ.u);
    }
  }

  let u: Float64Array;
  if (saveat !== undefined && savedU !== undefined) {
    for (let i = 0; i < saveIdx; i++) outT.push(saveat[i]);
    u =
      saveIdx === saveat.length
        ? savedU
        : output !== undefined
          ? output.subarray(0, saveIdx * n)
          : savedU.slice(0, saveIdx * n);
  } else {
    // A failed solve without saveEverystep still returns where it stopped.
    if (!opts.saveEverystep && outT[outT.length - 1] !== integ.t && outU !== undefined) {
      outT.push(integ.t);
      outU.push(integ.u);
    }
    u = (outU as GrowableBuffer).trimmed();
  }
  let dense: DenseData | undefined;
  if (denseT !== undefined && denseU !== undefined && denseK !== undefined) {
    dense = {
      ts: denseT.trimmed(),
      us: denseU.trimmed(),
      ks: denseK.trimmed(),
      width,
      buffers: [denseT.data, denseU.data, denseK.data],
      stepper: integ.stepper,
    };
  }
  // Hand the loop's buffers back to the kernels' arena now rather than at some later garbage
  // collection (a tight loop of solves never yields to the finalisers); a dense solution keeps
  // its stepper, which evaluates the interpolant.
  releaseWorkspace(integ);
  if (dense === undefined) releaseWorkspace(integ.stepper);
  giveBuffer(scratch);
  return new ODESolution({
    t: outT,
    u,
    n,
    retcode: integ.retcode,
    message: integ.message,
    stats: integ.stats,
    solver: solver.name,
    dense,
  });
}

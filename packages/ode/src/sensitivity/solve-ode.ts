/**
 * solveOde: the ODE solve as a differentiable op of @udekit/autodiff. It returns the states
 * at the save points (one row per time) as a Tensor; its VJP runs the chosen sensitivity
 * algorithm, giving cotangents for both u0 and p, so
 * `valueAndGrad((u0, p) => loss(solveOde(f, u0, p, opts)), [0, 1])` works end to end.
 * Cotangents at the save points enter the backward pass as jumps in λ.
 */
import { defineOp, formatShape, type Shape, ShapeError, Tensor } from "@udekit/autodiff";
import { closestName } from "../options.js";
import { ODEProblem } from "../problem.js";
import type { ReturnCode } from "../retcode.js";
import type { ODESolution, SolverStats } from "../solution.js";
import { solve } from "../solve.js";
import { Tsit5 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import { type AdjointContext, type BackwardResult, clampedForward } from "./adjoint-context.js";
import { backsolveAdjoint } from "./backsolve-adjoint.js";
import {
  type DifferentiableRhs,
  differentiableRhs,
  type InPlaceOdeRhs,
  type TensorOdeRhs,
} from "./differentiable-rhs.js";
import { directBackprop } from "./direct-backprop.js";
import { SensitivityOptionError } from "./errors.js";
import { forwardSensitivity } from "./forward-sensitivity.js";
import { interpolatingAdjoint } from "./interpolating-adjoint.js";
import { quadratureAdjoint } from "./quadrature-adjoint.js";
import { InterpolatingAdjoint, type SensitivityAlgorithm } from "./sensealg.js";
import { withStepperHooks } from "./stepper-hooks.js";

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
}

export interface SolveOdeOptions {
  /** [t0, t1]; t1 < t0 integrates backward in time. */
  tspan: readonly [number, number];
  /** Times at which states are returned (rows of the result), inside tspan, in the direction of integration. */
  saveat: ArrayLike<number>;
  /** Forward solver (default Tsit5()). */
  solver?: OdeSolver;
  reltol?: number;
  abstol?: number;
  dt?: number;
  dtmin?: number;
  dtmax?: number;
  maxiters?: number;
  /** Default InterpolatingAdjoint(). */
  sensealg?: SensitivityAlgorithm;
  /** Filled with retcodes and statistics of the forward solve and of the backward pass. */
  info?: SolveOdeInfo;
}

const OPTION_NAMES = [
  "tspan",
  "saveat",
  "solver",
  "reltol",
  "abstol",
  "dt",
  "dtmin",
  "dtmax",
  "maxiters",
  "sensealg",
  "info",
] as const;
const FORWARD_OPTIONS = ["reltol", "abstol", "dt", "dtmin", "dtmax", "maxiters"] as const;
const ALGORITHMS = [
  "InterpolatingAdjoint",
  "QuadratureAdjoint",
  "BacksolveAdjoint",
  "ForwardSensitivity",
  "DirectBackprop",
];

interface Resolved {
  tspan: readonly [number, number];
  saveat: Float64Array;
  solver: OdeSolver;
  forwardOptions: Record<string, number>;
  sensealg: SensitivityAlgorithm;
  info: SolveOdeInfo | undefined;
}

function resolve(options: SolveOdeOptions): Resolved {
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
  if (
    options.saveat === undefined ||
    typeof options.saveat.length !== "number" ||
    options.saveat.length === 0
  ) {
    throw new SensitivityOptionError(
      "solveOde: saveat must be a non-empty array of times inside tspan (the rows of the result), e.g. [1, 2, 3, 4].",
    );
  }
  const saveat = Float64Array.from(options.saveat);
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
  const forwardOptions: Record<string, number> = {};
  for (const key of FORWARD_OPTIONS) {
    const v = options[key];
    if (v !== undefined) forwardOptions[key] = v;
  }
  const sensealg = options.sensealg ?? InterpolatingAdjoint();
  if (!ALGORITHMS.includes(sensealg?.kind)) {
    throw new SensitivityOptionError(
      `solveOde: sensealg must be one of ${ALGORITHMS.map((a) => `${a}()`).join(", ")}; got ${JSON.stringify(sensealg)}.`,
    );
  }
  return {
    tspan: [t0, t1],
    saveat,
    solver: options.solver ?? Tsit5(),
    forwardOptions,
    sensealg,
    info: options.info,
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
  steps: Float64Array;
}

/** Solves and records the accepted steps' end times (they bound the backward pass's steps). */
function solveRecordingSteps(
  problem: ODEProblem,
  solver: OdeSolver,
  options: Record<string, unknown>,
): { sol: ODESolution; steps: Float64Array } {
  const steps: number[] = [];
  const recording = withStepperHooks(solver, {
    beforeAccept: (tNew) => {
      steps.push(tNew);
    },
  });
  const sol = solve(problem, recording, options);
  return { sol, steps: Float64Array.from(steps) };
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

function needsDense(alg: SensitivityAlgorithm): boolean {
  return (
    (alg.kind === "InterpolatingAdjoint" && alg.checkpointing !== true) || alg.kind === "QuadratureAdjoint"
  );
}

const solveOp = defineOp<SolveAttrs>({
  name: "ode.solve",
  shape: checkShapes,
  forward(ctx) {
    const a = ctx.attrs;
    const u0 = ctx.inputs[0];
    const p = ctx.inputs[1];
    const rhs = differentiableRhs(a.f, u0, p, ctx.inputShapes[1], a.tspan[0]);
    const f0 = rhs.counts.f;
    const problem = new ODEProblem((du, u, q, t) => rhs.f(du, u, q, t), u0, a.tspan, p, { kind: "inplace" });
    rhs.prepare(problem.p);
    const { sol, steps } = solveRecordingSteps(problem, a.solver, {
      ...a.forwardOptions,
      saveat: a.saveat,
      dense: needsDense(a.sensealg),
    });
    ctx.out.fill(Number.NaN);
    ctx.out.set(sol.u.subarray(0, Math.min(sol.u.length, ctx.out.length)));
    ctx.saved = { rhs, sol, p: problem.p, u0: problem.u0, steps } satisfies Saved;
    if (a.info !== undefined) {
      a.info.retcode = sol.retcode;
      a.info.message = sol.message;
      a.info.forward = { ...sol.stats, rhsEvals: rhs.counts.f - f0 };
    }
  },
  vjp(ctx, g, inputGrads) {
    const a = ctx.attrs;
    const { rhs, sol, p, u0, steps } = ctx.saved as Saved;
    const { n, np } = rhs;
    const gu0 = inputGrads[0];
    const gp = inputGrads[1];
    const stats: SolverStats = { nf: 0, njac: 0, nlu: 0, naccept: 0, nreject: 0 };
    const f0 = rhs.counts.f;
    const v0 = rhs.counts.vjp;
    let result: BackwardResult;
    const u0Bar = new Float64Array(n);
    const pBar = new Float64Array(np);
    rhs.prepare(p);
    if (sol.retcode !== "Success") {
      result = { retcode: sol.retcode, message: `the forward solve failed: ${sol.message}` };
    } else {
      const alg = a.sensealg as Exclude<SensitivityAlgorithm, { kind: "DirectBackprop" }>;
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
        forwardSteps: steps,
        resolve: (tA, uA, tB) => {
          const local = new ODEProblem((du, u, q, t) => rhs.f(du, u, q, t), uA, [tA, tB], p, {
            kind: "inplace",
          });
          const piece = solveRecordingSteps(local, a.solver, { ...fwd, dense: true, saveEverystep: false });
          if (piece.sol.retcode !== "Success") {
            throw new SensitivityOptionError(
              `solveOde: re-solving a checkpoint interval failed: ${piece.sol.message}`,
            );
          }
          return { dense: clampedForward(piece.sol, tA, tB), steps: piece.steps };
        },
        solver: alg.solver ?? a.solver,
        reltol: alg.reltol ?? fwd.reltol ?? 1e-3,
        abstol: alg.abstol ?? fwd.abstol ?? 1e-6,
        u0Bar,
        pBar,
        stats,
      };
      const last = a.saveat[a.saveat.length - 1];
      if (last === a.tspan[0]) {
        // Every save point is t0: the solution there is u0 itself.
        for (let k = 0; k < a.saveat.length; k++) for (let i = 0; i < n; i++) u0Bar[i] += g[k * n + i];
        result = { retcode: "Success", message: "" };
      } else if (alg.kind === "InterpolatingAdjoint") {
        result = interpolatingAdjoint(actx, alg.checkpointing === true);
      } else if (alg.kind === "QuadratureAdjoint") {
        result = quadratureAdjoint(actx, alg.points ?? Math.ceil((actx.solver.order + 1) / 2));
      } else if (alg.kind === "BacksolveAdjoint") {
        const tol = alg.checkTolerance ?? Math.max(1e3 * actx.reltol, 1e-6);
        result = backsolveAdjoint(actx, tol);
      } else {
        result = forwardSensitivity(actx);
      }
    }
    if (result.retcode !== "Success") {
      u0Bar.fill(Number.NaN);
      pBar.fill(Number.NaN);
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
    if (gu0 !== null) for (let i = 0; i < n; i++) gu0[i] += u0Bar[i];
    if (gp !== null) for (let j = 0; j < np; j++) gp[j] += pBar[j];
  },
});

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
  const r = resolve(options);
  for (const [name, x] of [
    ["u0", u0],
    ["p", p],
  ] as const) {
    if (!(x instanceof Tensor)) {
      throw new SensitivityOptionError(
        `solveOde: ${name} must be a Tensor (got ${x === null ? "null" : typeof x}); wrap numbers and arrays with tensor(...) from @udekit/autodiff.`,
      );
    }
  }
  if (typeof f !== "function" && (typeof f?.f !== "function" || typeof f?.vjp !== "function")) {
    throw new SensitivityOptionError(
      "solveOde: f must be a tensor function (u, p, t) => Tensor, or { f: (du, u, p, t) => void, vjp: (uBar, pBar, lambda, u, p, t) => void }.",
    );
  }
  if (r.sensealg.kind === "DirectBackprop") {
    checkShapes([u0.shape, p.shape], { ...r, f });
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
        nreject: 0,
        rhsEvals: rhs.counts.f - f0,
      };
    }
    return out.states;
  }
  return solveOp([u0, p], { ...r, f });
}

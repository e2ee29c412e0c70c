/**
 * DirectBackprop (discretise-then-optimise): the solver's accepted steps are replayed on the
 * autodiff tape as tensor ops (each stage an RHS call, each combination an add/scale), so
 * reverse mode differentiates the discrete solution exactly. The step sequence comes from a
 * plain solve first — the forward solve's own steps — and is then held fixed (step-size
 * decisions are not differentiated, as in reverse-mode AD through DifferentialEquations.jl
 * solvers); save points inside a step go through the step's dense output, as in the forward
 * solve, so the values and the gradient are those of the solve every other sensealg returns
 * (DiscreteAdjoint computes the same derivative without the tape). Explicit Runge–Kutta
 * methods only; an automatic composite is accepted while it stays on its explicit member (its
 * steps are then exactly that member's) and refused once it switches to its stiff member.
 * Memory and tape length grow with steps × stages: a cross-check for small problems.
 */
import {
  add,
  concat,
  defineOp,
  mul,
  reshape,
  scalar,
  scale,
  sum,
  type Tensor,
  tensor,
} from "@udekit/autodiff";
import { axpy } from "@udekit/kernels";
import { init } from "../integrator.js";
import { interpolationWeights } from "../interpolation/polynomial-interpolant.js";
import { ODEProblem } from "../problem.js";
import { retcodeMessage } from "../retcode.js";
import type { OdeSolver } from "../stepper.js";
import type { DifferentiableRhs, TensorOdeRhs } from "./differentiable-rhs.js";
import { SensitivityOptionError } from "./errors.js";

interface RhsAttrs {
  rhs: DifferentiableRhs;
  t: number;
}

/** An in-place right-hand side with a user VJP as a tape op: (u, p) ↦ f(u, p, t). */
const inPlaceRhsOp = defineOp<RhsAttrs>({
  name: "ode.inPlaceRhs",
  shape: (_shapes, { rhs }) => [rhs.n],
  workspace: (_shapes, { rhs }) => rhs.n + rhs.np,
  forward(ctx) {
    ctx.attrs.rhs.f(ctx.out, ctx.inputs[0], ctx.inputs[1], ctx.attrs.t);
  },
  vjp(ctx, g, inputGrads) {
    const { rhs, t } = ctx.attrs;
    const uBar = ctx.scratch.subarray(0, rhs.n);
    const pBar = ctx.scratch.subarray(rhs.n);
    rhs.vjpUP(uBar, pBar, g, ctx.inputs[0], ctx.inputs[1], t);
    const gu = inputGrads[0];
    const gp = inputGrads[1];
    if (gu !== null) axpy(rhs.n, 1, uBar, gu);
    if (gp !== null) axpy(rhs.np, 1, pBar, gp);
  },
});

export interface DirectBackpropInput {
  f: TensorOdeRhs | undefined;
  rhs: DifferentiableRhs;
  u0: Tensor;
  p: Tensor;
  tspan: readonly [number, number];
  saveat: Float64Array;
  solver: OdeSolver;
  forwardOptions: Record<string, unknown>;
}

export function directBackprop(input: DirectBackpropInput): {
  states: Tensor;
  steps: number;
  /** Attempts the step-sequence solve rejected (the tape replays only the accepted ones). */
  rejected: number;
  retcode: string;
  message: string;
} {
  const { rhs, u0, p, saveat } = input;
  // The step sequence comes from the solver the user chose; an automatic composite's steps are
  // replayed with its explicit member's tableau as long as it never switched (checked below).
  const solver = input.solver.family === "composite" ? input.solver.members[0] : input.solver;
  if (solver.family !== "erk") {
    throw new SensitivityOptionError(
      `solveOde: DirectBackprop replays explicit Runge–Kutta steps on the tape; ${solver.name} is not an explicit Runge–Kutta method. ` +
        "Use an explicit solver (Tsit5, DP5, Vern7, …) with DirectBackprop, or InterpolatingAdjoint() with a stiff solver.",
    );
  }
  const n = rhs.n;
  const [t0, t1] = input.tspan;
  const last = saveat[saveat.length - 1];
  const dir = Math.sign(t1 - t0);
  // 1. The step sequence: the forward solve's own steps (same time span and options; save
  //    points are served by the interpolant, never step ends), up to the step that reaches the
  //    last save point.
  const boundaries: number[] = [t0];
  let rejected = 0;
  const message = retcodeMessage("Success", last);
  if (last !== t0) {
    const problem = new ODEProblem(rhs.inPlace, u0.data, [t0, t1], p.data, { kind: "inplace" });
    const integ = init(problem, input.solver, input.forwardOptions);
    while (dir * (last - boundaries[boundaries.length - 1]) > 0 && integ.step()) {
      boundaries.push(integ.t);
      const switched = integ.stats.switches?.[0];
      if (switched !== undefined) {
        integ.dispose();
        throw new SensitivityOptionError(
          `solveOde: DirectBackprop replays explicit Runge–Kutta steps on the tape, but ${input.solver.name} switched from ${switched.from} to ${switched.to} at t = ${switched.t.toPrecision(6)} (the problem is stiff there). ` +
            "Use DiscreteAdjoint() (the same derivative of the computed solution, without the tape) or InterpolatingAdjoint(), or pass an explicit solver such as solver: Tsit5() for a problem that is not stiff.",
        );
      }
    }
    // Hand its arena buffers back now: a training loop never yields to the finalisers, and a
    // full arena sends every later kernel call down the copying path (gradbench's ode eval: all
    // 48 MiB taken after one row of DirectBackprop calls, the later rows 2× slower).
    // (Read before dispose, which marks an unfinished integrator failed: this one stopped at the
    // last save point on purpose.)
    const { retcode } = integ;
    rejected = integ.stats.nreject;
    const failure = integ.message;
    integ.dispose();
    if (retcode !== "Success" && retcode !== "Default") {
      return {
        states: failedStates(u0, p, saveat.length),
        steps: boundaries.length - 1,
        rejected,
        retcode,
        message: failure,
      };
    }
  }
  // 2. The same steps on the tape; a save point inside a step is the step's dense output
  //    y + h·Σₘ wₘ(θ)·Kₘ, linear in the stages (the interpolant's extra stages, e.g. Verner's,
  //    evaluated on the tape as the forward solve evaluates them).
  const f = input.f ?? ((u: Tensor, q: Tensor, t: Tensor) => inPlaceRhsOp([u, q], { rhs, t: t.data[0] }));
  const { stages, a, b, c, totalStages, endStage, fsal } = solver.tableau;
  const interp = solver.dense;
  const w = new Float64Array(interp.stages);
  const rows: Tensor[] = [];
  let k = 0;
  let u = u0;
  while (k < saveat.length && saveat[k] === t0) {
    rows.push(u);
    k++;
  }
  /** Y = y + h·Σⱼ<s aₛⱼKⱼ. */
  const stageInput = (y: Tensor, ks: Tensor[], s: number, h: number): Tensor => {
    let Y = y;
    for (let j = 0; j < s; j++) {
      const coef = a[s * totalStages + j];
      if (coef !== 0) Y = add(Y, scale(ks[j], h * coef));
    }
    return Y;
  };
  for (let step = 1; step < boundaries.length && k < saveat.length; step++) {
    const tA = boundaries[step - 1];
    const tB = boundaries[step];
    const h = tB - tA;
    const ks: Tensor[] = [];
    for (let s = 0; s < stages; s++) ks.push(f(stageInput(u, ks, s, h), p, scalar(tA + c[s] * h)));
    let next = u;
    for (let s = 0; s < stages; s++) if (b[s] !== 0) next = add(next, scale(ks[s], h * b[s]));
    let extended = false;
    while (k < saveat.length && dir * (saveat[k] - tB) < 0) {
      if (!extended) {
        // The end stage K_E = f(t₁, y₁) of a method without FSAL, then any lazy stages.
        for (let e = ks.length; e < interp.stages; e++) {
          const atEnd = e === endStage && !fsal;
          ks.push(f(atEnd ? next : stageInput(u, ks, e, h), p, scalar(atEnd ? tB : tA + c[e] * h)));
        }
        extended = true;
      }
      interpolationWeights(interp, (saveat[k] - tA) / h, w);
      let y = u;
      for (let m = 0; m < interp.stages; m++) if (w[m] !== 0) y = add(y, scale(ks[m], h * w[m]));
      rows.push(y);
      k++;
    }
    u = next;
    while (k < saveat.length && saveat[k] === tB) {
      rows.push(u);
      k++;
    }
  }
  return {
    states: reshape(concat(rows), [saveat.length, n]),
    steps: boundaries.length - 1,
    rejected,
    retcode: "Success",
    message,
  };
}

/**
 * The rows of a failed solve: NaN, like the other methods' (solveOde's contract), and on the
 * tape through u0 and p so their gradients are NaN too, never a finite number. (`scale` refuses
 * a NaN factor, so the NaN enters as a constant tensor.)
 */
function failedStates(u0: Tensor, p: Tensor, rows: number): Tensor {
  const n = u0.size;
  const nan = tensor(new Float64Array(rows * n).fill(Number.NaN), [rows, n]);
  const row = add(u0, sum(p));
  return mul(reshape(concat(Array.from({ length: rows }, () => row)), [rows, n]), nan);
}

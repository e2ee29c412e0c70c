/**
 * The gradients the benchmarks time, as thunks over fixed inputs: the seed-family loss
 * Σₖ ‖u(tₖ) − dataₖ‖² through @udekit/ode's differentiable solve with a chosen sensitivity
 * method, its forward-only evaluation, and the closed-form route through @udekit/linear-ode's
 * solveLinearOde (exp(A·Δ) stepping, gradient by one Fréchet derivative).
 */
import { diag, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { solveLinearOde } from "@udekit/linear-ode";
import {
  InterpolatingAdjoint,
  type OdeSolver,
  type SensitivityAlgorithm,
  type SolveOdeInfo,
  solveOde,
  type TensorOdeRhs,
} from "@udekit/ode";
import { sumSquares, TIMES, TSPAN } from "./seed.js";

export interface Tolerances {
  solver: OdeSolver;
  reltol: number;
  abstol: number;
}

export interface GradientResult {
  loss: number;
  grad: Float64Array;
  info: SolveOdeInfo;
  /** Set when the method reported a failure (thrown error or a non-Success retcode). */
  failure?: string;
}

/** A seed-family loss problem: f(u, p), u0, p (any shape), data ([times, n]). */
export interface LossProblem {
  f: TensorOdeRhs;
  u0: Tensor;
  p: Tensor;
  data: Tensor;
}

/** The gradient of the loss with respect to p by `sensealg` (throws are caught into `failure`). */
export function odeGradient(
  prob: LossProblem,
  tol: Tolerances,
  sensealg: SensitivityAlgorithm,
): GradientResult {
  const info: SolveOdeInfo = {};
  const loss = (p: Tensor) =>
    sumSquares(
      solveOde(prob.f, prob.u0, p, { tspan: TSPAN, saveat: TIMES, ...tol, sensealg, info }),
      prob.data,
    );
  try {
    const [value, g] = valueAndGrad(loss)(prob.p);
    const failed = (r: { retcode?: string } | undefined) =>
      r?.retcode !== undefined && r.retcode !== "Success";
    const bad = failed(info) ? info : failed(info.backward) ? info.backward : undefined;
    return {
      loss: value.item(),
      grad: g.data,
      info,
      failure: bad === undefined ? undefined : `${bad.retcode}: ${bad.message}`,
    };
  } catch (e) {
    const err = e as Error;
    return { loss: Number.NaN, grad: new Float64Array(0), info, failure: `${err.name}: ${err.message}` };
  }
}

/**
 * The loss alone (no tape): the forward solve a user runs to evaluate the model. Uses
 * checkpointed InterpolatingAdjoint as sensealg only because it asks for no dense output, so this
 * is the plain solve at the given tolerances.
 */
export function odeLoss(prob: LossProblem, tol: Tolerances, info: SolveOdeInfo = {}): number {
  const states = solveOde(prob.f, prob.u0, prob.p, {
    tspan: TSPAN,
    saveat: TIMES,
    ...tol,
    sensealg: InterpolatingAdjoint({ checkpointing: true }),
    info,
  });
  return sumSquares(states, prob.data).item();
}

/** A(P) = P − diag(P·1) as a tensor expression (differentiable in P). */
export function connectivityMatrix(P: Tensor): Tensor {
  return sub(P, diag(sum(P, 1)));
}

/** The linear loss and its gradient in P by the closed form: solveLinearOde(A(P), u0, times). */
export function expmGradient(P: Tensor, u0: Tensor, data: Tensor): GradientResult {
  const loss = (p: Tensor) => sumSquares(solveLinearOde(connectivityMatrix(p), u0, TIMES), data);
  const [value, g] = valueAndGrad(loss)(P);
  return { loss: value.item(), grad: g.data, info: {} };
}

export function linearLossProblem(
  f: TensorOdeRhs,
  P: Float64Array,
  u0: Float64Array,
  data: Float64Array,
): LossProblem {
  const n = u0.length;
  return {
    f,
    u0: tensor(u0, [n]),
    p: tensor(P, [n, n]),
    data: tensor(data, [TIMES.length, n]),
  };
}

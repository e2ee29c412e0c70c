/**
 * The usual experiment model: an ODE right-hand side shared by every experiment, solved from the
 * experiment's u0 over [t0, last saveat] by @udekit/ode's differentiable solve, and a loss between
 * the states at saveat and the experiment's data (default Σ (state − data)², skipping NaN data).
 */
import { mul, square, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import {
  AdjointFailedError,
  type OdeSolver,
  type SensitivityAlgorithm,
  type SolveOdeInfo,
  solveOde,
  type TensorOdeRhs,
} from "@udekit/ode";
import type { ExperimentView } from "./experiment.js";
import type { ExperimentModel, ExperimentOutcome } from "./model.js";

export interface OdeExperimentModelOptions {
  /** f(u, p, t) as a tensor program (compiled once per shape by solveOde). */
  rhs: TensorOdeRhs;
  /** Shape of the parameter tensor the rhs expects (default [p.length]). */
  paramShape?: readonly number[];
  solver?: OdeSolver;
  reltol?: number;
  abstol?: number;
  /** Fixed step (with adaptive: false). */
  dt?: number;
  adaptive?: boolean;
  maxiters?: number;
  /** Default: solveOde's default (InterpolatingAdjoint()). */
  sensealg?: SensitivityAlgorithm;
  /** loss(states [m, n], data [m, n]) → scalar tensor; default Σ (states − data)² over observed entries. */
  loss?: (states: Tensor, data: Tensor) => Tensor;
}

/** Σ (states − data)² over the observed entries (NaN data = not observed: weight 0). */
export function sumSquaresLoss(states: Tensor, data: Tensor): Tensor {
  let missing = false;
  for (let i = 0; i < data.data.length; i++) if (Number.isNaN(data.data[i])) missing = true;
  if (!missing) return sum(square(sub(states, data)));
  const mask = data.data.map((x) => (Number.isNaN(x) ? 0 : 1));
  const filled = data.data.map((x) => (Number.isNaN(x) ? 0 : x));
  return sum(square(mul(sub(states, tensor(filled, data.shape)), tensor(mask, data.shape))));
}

/** An ExperimentModel that solves an ODE per experiment and differentiates it with solveOde's adjoint. */
export function odeExperimentModel(options: OdeExperimentModelOptions): ExperimentModel {
  const { rhs, paramShape, loss = sumSquaresLoss, sensealg, solver, ...stepping } = options;
  const settings = Object.fromEntries(Object.entries(stepping).filter(([, v]) => v !== undefined));
  return {
    lossAndGradient(p: Float64Array, e: ExperimentView, grad: Float64Array): ExperimentOutcome {
      const n = e.u0.length;
      const m = e.saveat.length;
      const u0 = tensor(e.u0, [n]);
      const data = tensor(e.data, [m, n]);
      const info: SolveOdeInfo = {};
      const f = (pt: Tensor) =>
        loss(
          solveOde(rhs, u0, pt, {
            tspan: [e.t0, e.saveat[m - 1]],
            saveat: e.saveat,
            ...settings,
            ...(solver === undefined ? {} : { solver }),
            ...(sensealg === undefined ? {} : { sensealg }),
            info,
          }),
          data,
        );
      try {
        const [value, g] = valueAndGrad(f)(
          tensor(p, paramShape === undefined ? [p.length] : [...paramShape]),
        );
        if (info.retcode !== undefined && info.retcode !== "Success") {
          return {
            loss: Number.NaN,
            retcode: info.retcode,
            message: info.message ?? "the forward solve failed.",
          };
        }
        grad.set(g.data);
        return { loss: value.item(), retcode: "Success" };
      } catch (err) {
        if (err instanceof AdjointFailedError)
          return { loss: Number.NaN, retcode: err.retcode, message: err.message };
        throw err;
      }
    },
  };
}

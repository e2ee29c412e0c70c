/**
 * Worker module of the ensemble benchmark: the seed UDE (seed.ts's udeRhs, tanh hidden layer) per
 * experiment, Tsit5 at reltol 1e-6 / abstol 1e-8 with InterpolatingAdjoint, the settings of the
 * gradient suite. ENSEMBLE_BENCH_NOOP=1 makes every experiment free (zero loss and gradient), so a
 * pool of it times only dispatch, transfer and the ordered sum.
 */
import { type ExperimentModel, odeExperimentModel, serveEnsemble } from "@udekit/ensemble";
import { Tsit5 } from "@udekit/ode";
import { udeRhs } from "./seed.js";

export const seedUdeModel: ExperimentModel = odeExperimentModel({
  rhs: udeRhs,
  solver: Tsit5(),
  reltol: 1e-6,
  abstol: 1e-8,
});

const noop: ExperimentModel = {
  lossAndGradient(_p, _e, grad) {
    grad.fill(0);
    return { loss: 0, retcode: "Success" };
  },
};

export default serveEnsemble(process.env.ENSEMBLE_BENCH_NOOP === "1" ? noop : seedUdeModel);

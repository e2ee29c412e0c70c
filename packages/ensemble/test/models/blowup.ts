/**
 * A model whose solve fails for some experiments: du/dt = p·u² blows up at t = 1/(p·u0), so an
 * experiment with p·u0 > 1 on [0, 1] cannot be integrated (retcode "DtLessThanMin", "Unstable"
 * or "MaxIters", whichever the step control meets first).
 */
import { mul, reshape, type Tensor } from "@udekit/autodiff";
import { Tsit5 } from "@udekit/ode";
import { odeExperimentModel, serveEnsemble } from "../../src/index.js";

export const model = odeExperimentModel({
  rhs: (u: Tensor, p: Tensor) => mul(reshape(p, []), mul(u, u)),
  solver: Tsit5(),
  reltol: 1e-6,
  abstol: 1e-8,
  maxiters: 2000,
});

export default serveEnsemble(model);

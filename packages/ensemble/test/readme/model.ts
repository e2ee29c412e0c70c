// model.ts — the worker module: each worker imports it and answers tasks with its default export.
import { mul, neg, reshape, type Tensor } from "@udekit/autodiff";
import { odeExperimentModel, serveEnsemble } from "@udekit/ensemble";
import { Tsit5 } from "@udekit/ode";

// du/dt = −k·u, p = [k]: every experiment decays at the same unknown rate k.
export const model = odeExperimentModel({
  rhs: (u: Tensor, p: Tensor) => neg(mul(reshape(p, []), u)),
  paramShape: [1],
  solver: Tsit5(),
  reltol: 1e-8,
  abstol: 1e-10,
});

export default serveEnsemble(model);

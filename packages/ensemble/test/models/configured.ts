/**
 * A worker module whose model is built from the pool's config: loss = scale · Σ p (for every
 * experiment), so the gradient is scale in every entry; the config arrives with each task and the
 * model is built once per worker.
 */
import { type ExperimentModel, serveEnsemble } from "../../src/index.js";

let builds = 0;

export default serveEnsemble(async (config) => {
  const { scale } = config as { scale: number };
  builds++;
  const model: ExperimentModel = {
    lossAndGradient(p, _e, grad) {
      grad.fill(scale);
      return { loss: scale * p.reduce((a, b) => a + b, 0), retcode: "Success", message: `builds ${builds}` };
    },
  };
  return model;
});

/**
 * Worker module of the seed UDE ensemble (test/fixtures/seed-ensemble.json): Tsit5 at
 * reltol 1e-6, abstol 1e-8, InterpolatingAdjoint (solveOde's default), the settings of
 * apps/bench's gradient suite.
 */
import { readFileSync } from "node:fs";
import { Tsit5 } from "@udekit/ode";
import { type Experiment, odeExperimentModel, serveEnsemble } from "../../src/index.js";
import { seedUdeRhs } from "./seed-ude-rhs.js";

export { PARAMS, seedParams } from "./seed-ude-rhs.js";

export const model = odeExperimentModel({ rhs: seedUdeRhs, solver: Tsit5(), reltol: 1e-6, abstol: 1e-8 });

/** The generated experiments (scripts/gen-seed-ensemble.ts). */
export function seedExperiments(): Experiment[] {
  const file = JSON.parse(
    readFileSync(new URL("../fixtures/seed-ensemble.json", import.meta.url), "utf8"),
  ) as { times: number[]; experiments: { u0: number[]; data: number[][] }[] };
  return file.experiments.map((e) => ({ u0: e.u0, saveat: file.times, data: e.data.flat() }));
}

export default serveEnsemble(model);

/**
 * Writes the 8-experiment data set of the seed family (issue #20): the seed UDE of
 * apps/ude/data/seed-ude.json (same P and net, tanh hidden activation as apps/bench's seed UDE),
 * each experiment from its own initial state u0 ~ U[0, 1)¹⁰⁰, observed at t = 1, 2, 3, 4 with
 * additive Gaussian noise (σ = NOISE), so the loss at the seed parameters is not zero.
 * Trajectories come from @udekit/ode's Tsit5 at reltol 1e-10, abstol 1e-12 (far below the noise);
 * random numbers from @udekit/nn's seeded xoshiro256** (rng(SEED)): for each experiment its u0,
 * then its noise (time-major).
 *
 * Outputs: packages/ensemble/test/fixtures/seed-ensemble.json (tests, benchmark) and
 * apps/ude/data/seed-ensemble/experiment-<k>.csv (the CLI's CSV layout: one row per node, one
 * column per time, header t=…).
 *
 * Run: node --import ./packages/ensemble/test/source-loader.mjs packages/ensemble/scripts/gen-seed-ensemble.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tensor } from "@udekit/autodiff";
import { rng } from "@udekit/nn";
import { solveOde, Tsit5 } from "@udekit/ode";
import { N, seedFile, seedParams, seedUdeRhs } from "../test/models/seed-ude-rhs.js";

const EXPERIMENTS = 8;
const SEED = 20261205;
const NOISE = 0.02;
const seed = seedFile();
const times = seed.times;
const p = tensor(seedParams());
const g = rng(SEED);

const experiments = [];
for (let e = 0; e < EXPERIMENTS; e++) {
  const u0 = g.fillUniform(new Float64Array(N));
  const states = solveOde(seedUdeRhs, tensor(u0), p, {
    tspan: [times[0], times[times.length - 1]],
    saveat: times,
    solver: Tsit5(),
    reltol: 1e-10,
    abstol: 1e-12,
  });
  const noise = g.fillNormal(new Float64Array(times.length * N), 0, NOISE);
  // Row 0 is u0 itself (the initial condition is known exactly, as in the seed data).
  const data = Array.from({ length: times.length }, (_, k) =>
    Array.from({ length: N }, (_, i) => (k === 0 ? u0[i] : states.data[k * N + i] + noise[k * N + i])),
  );
  experiments.push({ u0: Array.from(u0), data });
}

const out = new URL("../test/fixtures/seed-ensemble.json", import.meta.url);
writeFileSync(
  out,
  `${JSON.stringify({
    description: `${EXPERIMENTS} experiments of the seed UDE (P and net of apps/ude/data/seed-ude.json, tanh hidden layer) from u0 ~ U[0,1)^${N} (rng(${SEED})), observed at t = ${times.join(", ")} with N(0, ${NOISE}^2) noise after t0; data rows are times. Written by packages/ensemble/scripts/gen-seed-ensemble.ts.`,
    times,
    noise: NOISE,
    seed: SEED,
    experiments,
  })}\n`,
);
const csvDir = new URL("../../../apps/ude/data/seed-ensemble/", import.meta.url);
mkdirSync(csvDir, { recursive: true });
experiments.forEach((e, k) => {
  const header = times.map((t) => `t=${t}`).join(",");
  const rows = Array.from({ length: N }, (_, i) => e.data.map((row) => String(row[i])).join(","));
  writeFileSync(new URL(`experiment-${k + 1}.csv`, csvDir), `${header}\n${rows.join("\n")}\n`);
});
console.log(`wrote ${out.pathname} and ${EXPERIMENTS} CSV files in ${csvDir.pathname}`);

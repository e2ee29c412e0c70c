// The data of the diagnostic plots, against references independent of the forward solve:
// predictions of the linear model against the matrix exponential (linear-ode), and the net's
// output along a trajectory against the net evaluated by hand from its saved layers.
import { diag, sub, sum, tensor } from "@udekit/autodiff";
import { solveLinearOde } from "@udekit/linear-ode";
import { Tsit5 } from "@udekit/ode";
import { expect, test } from "vitest";
import { loadSeed } from "./data.js";
import { denseTrajectories, netTermSamples, observationFit } from "./diagnostics.js";
import { fitTargets } from "./fit.js";
import type { Problem } from "./gradients.js";
import { initialParams, type LayerValues, makeParams } from "./model.js";
import type { ModelSpec } from "./model-spec.js";

const seed = loadSeed();
const n = 8;
const obs = { times: [0, 0.5, 1, 2], values: seed.trainingData.slice(0, n) };
const P = seed.connectivity.slice(0, n).map((r) => r.slice(0, n));
// Tight tolerances: the solver's error (~1e-10 relative) is far below the tolerances below.
const solve = { solver: Tsit5(), reltol: 1e-11, abstol: 1e-13 };

/** The net by hand: y = W_k·(… σ(W_1·x + b_1) …) + b_k, σ on every layer but the last. */
function netByHand(
  layers: readonly LayerValues[],
  x: readonly number[],
  sigma: (v: number) => number,
): number[] {
  let h = [...x];
  layers.forEach((l, k) => {
    const y = l.weight.map((row, r) => row.reduce((s, w, c) => s + w * h[c], l.bias[r]));
    h = k < layers.length - 1 ? y.map(sigma) : y;
  });
  return h;
}

test("linear model: predictions at the observation times equal exp(A(P)·(t − t₀))·u₀", () => {
  const params = makeParams("linear", P, [], "identity");
  const problem: Problem = { obs, params, solve };
  const fit = observationFit(problem, params.vector);
  const A = sub(tensor(P), diag(sum(tensor(P), 1)));
  const shifted = obs.times.map((t) => t - obs.times[0]);
  const ref = solveLinearOde(
    A,
    obs.values.map((r) => r[0]),
    shifted,
  ).data;
  expect(fit.observed).toBe(obs.values);
  for (let k = 0; k < obs.times.length; k++) {
    for (let i = 0; i < n; i++) {
      // Tsit5 at reltol 1e-11 against expm (a few ulps): agreement to 1e-8 leaves a 1000× margin.
      expect(Math.abs(fit.predicted[i][k] - ref[k * n + i])).toBeLessThan(1e-8);
    }
  }
  expect(
    netTermSamples(problem, params.vector, denseTrajectories(problem, params.vector, 2).raw),
  ).toBeUndefined();
});

test.each([
  ["identity", (v: number) => v],
  ["tanh", Math.tanh],
] as const)(
  "UDE (%s): the net's output along the trajectory equals the net evaluated by hand",
  (activation, sigma) => {
    const params = makeParams("ude", P, seed.nn.layers, activation);
    const problem: Problem = { obs, params, solve };
    const dense = denseTrajectories(problem, params.vector, 3, undefined, 11);
    expect(dense.times).toHaveLength(11);
    expect(dense.times[10]).toBe(3);
    const s = netTermSamples(problem, params.vector, dense.raw);
    expect(s?.blockSize).toBe(4);
    for (let k = 0; k < 11; k++) {
      const u = s?.inputs[k] ?? [];
      // The inputs are the trajectory's states.
      for (let i = 0; i < n; i++) expect(u[i]).toBe(dense.states[i][k]);
      for (let b = 0; b < n / 4; b++) {
        const ref = netByHand(seed.nn.layers, u.slice(4 * b, 4 * b + 4), sigma);
        // The output is rhs − A(P)·u: the cancellation of A(P)·u (entries ~1) leaves ~1e-15 errors.
        for (let j = 0; j < 4; j++)
          expect(Math.abs((s?.outputs[k][4 * b + j] ?? Number.NaN) - ref[j])).toBeLessThan(1e-12);
      }
    }
  },
);

test("a net without the linear part: block size 2, two hidden layers; the output is the whole right-hand side", () => {
  const spec: ModelSpec = {
    name: "net-only",
    linear: false,
    net: {
      block: 2,
      hidden: [
        { width: 3, activation: "tanh" },
        { width: 3, activation: "tanh" },
      ],
    },
  };
  const params = initialParams(spec, n, 7);
  const problem: Problem = { obs, params, solve };
  const dense = denseTrajectories(problem, params.vector, 2, undefined, 5);
  const s = netTermSamples(problem, params.vector, dense.raw);
  expect(s?.blockSize).toBe(2);
  const layers = params.layers();
  expect(layers).toHaveLength(3);
  for (let k = 0; k < 5; k++) {
    for (let b = 0; b < n / 2; b++) {
      const ref = netByHand(layers, (s?.inputs[k] ?? []).slice(2 * b, 2 * b + 2), Math.tanh);
      // Same operations in another order: agreement to a few ulps of values ~1.
      for (let j = 0; j < 2; j++)
        expect(Math.abs((s?.outputs[k][2 * b + j] ?? Number.NaN) - ref[j])).toBeLessThan(1e-13);
    }
  }
});

test("observationFit carries the held-out split of the problem's fit targets", () => {
  const params = makeParams("linear", P, [], "identity");
  const holdout = { by: "time" as const, fraction: 0.34, columns: [3] };
  const problem: Problem = { obs, params, solve, fit: fitTargets(obs, { holdout }) };
  expect(observationFit(problem, params.vector).heldOut).toEqual({ columns: [3] });
  expect(observationFit({ obs, params, solve }, params.vector).heldOut).toBeUndefined();
});

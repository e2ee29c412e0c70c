// Missing values, weights and the hold-out in the loss: each checked against a reference computed
// without them (the plain Σ (prediction − data)² on data arranged so that it must agree).
import { diag, sub, sum, tensor } from "@udekit/autodiff";
import { solveLinearOde } from "@udekit/linear-ode";
import { expect, test } from "vitest";
import { loadSeed } from "./data.js";
import { fitLoss, fitTargets } from "./fit.js";
import { lossAndGradient, type Problem } from "./gradients.js";
import { heldOut } from "./holdout.js";
import { initialState, makeParams, predict, rhsFor } from "./model.js";
import type { MethodName } from "./options.js";
import { parseSolver } from "./options.js";

/** A linear problem of 8 nodes at t = 1, 2, 3, 4 from the seed fixture's leading block. */
function smallProblem(values?: number[][]): Problem {
  const seed = loadSeed();
  const n = 8;
  const P = seed.connectivity.slice(0, n).map((r) => r.slice(0, n));
  return {
    obs: { times: seed.times, values: values ?? seed.trainingData.slice(0, n).map((r) => [...r]) },
    params: makeParams("linear", P, [], "identity"),
    solve: { solver: parseSolver("Tsit5"), reltol: 1e-8, abstol: 1e-10 },
  };
}

/**
 * The prediction at the problem's parameters that `method` computes, as rows (node i, time k):
 * expm's closed form exp(A(P)·(t − t₀))·u₀, or the ODE solve of the others.
 */
function predictionRows(problem: Problem, method: MethodName): number[][] {
  const { obs, params } = problem;
  const P = params.tensor();
  const states =
    method === "expm"
      ? solveLinearOde(sub(P, diag(sum(P, 1))), initialState(obs), obs.times)
      : predict(rhsFor(params), P, obs, problem.solve);
  const [m, n] = states.shape;
  return Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, k) => states.data[k * n + i]));
}

function lossGrad(problem: Problem, method: MethodName): [number, Float64Array] {
  const [value, grad] = lossAndGradient(problem, method).run(problem.params.tensor());
  return [value.item(), Float64Array.from(grad.data)];
}

test.each(["discrete", "expm"] as const)(
  "%s: a missing value adds nothing to the loss or its gradient (same as data equal to the prediction there)",
  (method) => {
    const base = smallProblem();
    const missing = base.obs.values.map((r) => [...r]);
    // Three missing cells, one of them in the last column.
    missing[1][2] = Number.NaN;
    missing[5][1] = Number.NaN;
    missing[7][3] = Number.NaN;
    const withMissing = smallProblem(missing);
    // Reference: the missing cells filled with the model's own prediction at these parameters,
    // so their residual (and its contribution to the gradient, 2·r·∂prediction) is zero there.
    const pred = predictionRows(base, method);
    const filled = missing.map((r, i) => r.map((x, k) => (Number.isNaN(x) ? pred[i][k] : x)));
    const [f, g] = lossGrad(withMissing, method);
    const [fRef, gRef] = lossGrad(smallProblem(filled), method);
    // Without the mask the loss is NaN; with it, finite and below the loss of the full data.
    expect(Number.isFinite(f)).toBe(true);
    // Both runs do the same solves; the two sums differ only in rounding of the added zeros
    // (relative 1e-13: a few ulps of a sum of 24 terms).
    expect(Math.abs(f - fRef) / fRef).toBeLessThan(1e-13);
    let maxDiff = 0;
    let maxRef = 0;
    for (let j = 0; j < g.length; j++) {
      maxDiff = Math.max(maxDiff, Math.abs(g[j] - gRef[j]));
      maxRef = Math.max(maxRef, Math.abs(gRef[j]));
    }
    expect(maxDiff / maxRef).toBeLessThan(1e-13);
    // And it is not the loss of the full data (the masked cells really are left out).
    const [fFull] = lossGrad(base, method);
    expect(Math.abs(fFull - f) / fFull).toBeGreaterThan(1e-6);
  },
);

test("weights multiply each squared residual; a missing weight is 0, a missing value has no residual", () => {
  // Σ w (p − d)² by hand on a 2 × 3 example, then weight 2 against a duplicated node.
  const obs = {
    times: [0, 1, 2],
    values: [
      [1, 2, Number.NaN],
      [3, 5, 7],
    ],
  };
  const weights = [
    [9, 0.5, 4],
    [1, Number.NaN, 3],
  ];
  const t = fitTargets(obs, { weights });
  expect(t.missing).toBe(1);
  expect(t.observations).toBe(4);
  const prediction = tensor(
    [
      [1, 3],
      [2.5, 4],
      [0, 6],
    ],
    [3, 2],
  );
  // Node 1: (2.5 − 2)²·0.5 + missing; node 2: weight NaN at t=1 is 0, (6 − 7)²·3; t=0 residuals 0.
  expect(fitLoss(prediction, t.data, t.train).item()).toBe(0.25 * 0.5 + 3);
  expect(() =>
    fitTargets(obs, {
      weights: [
        [0, 0, 0],
        [0, 0, 0],
      ],
    }),
  ).toThrow(/no observation is left to train on/);
});

test("no missing values, weights or hold-out: no weight tensor (the loss and its cost are unchanged)", () => {
  const t = fitTargets({ times: [0, 1], values: [[1, 2]] });
  expect(t.train).toBeUndefined();
  expect(t.validation).toBeUndefined();
  expect(fitTargets({ times: [0, 1], values: [[1, 2]] }, { weights: [[1, 2]] }).train).toBeDefined();
});

test("hold-out by time: the last columns move from the training weights to the validation weights", () => {
  const obs = {
    times: [0, 1, 2, 3, 4, 5],
    values: [
      [1, 2, 3, 4, 5, 6],
      [1, 2, Number.NaN, 4, 5, Number.NaN],
    ],
  };
  const h = heldOut({ by: "time", fraction: 0.4 }, 2, 6, 0);
  expect(h.columns).toEqual([4, 5]);
  const t = fitTargets(obs, { holdout: h });
  const w = (x: typeof t.train) => Array.from(x?.data ?? []);
  // Layout [m, n]: row k = time k.
  expect(w(t.train)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0]);
  expect(w(t.validation)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0]);
  expect(t.heldOut).toBe(3);
});

test("hold-out by nodes: seeded, reproducible, at least one held and one kept", () => {
  const a = heldOut({ by: "nodes", fraction: 0.25 }, 20, 4, 7);
  expect(a.nodes).toHaveLength(5);
  expect(heldOut({ by: "nodes", fraction: 0.25 }, 20, 4, 7)).toEqual(a);
  expect(heldOut({ by: "nodes", fraction: 0.25 }, 20, 4, 8).nodes).not.toEqual(a.nodes);
  expect(new Set(a.nodes).size).toBe(5);
  expect(heldOut({ by: "nodes", fraction: 0.01 }, 20, 4, 7).nodes).toHaveLength(1);
  expect(heldOut({ by: "nodes", fraction: 0.99 }, 20, 4, 7).nodes).toHaveLength(19);
  expect(() => heldOut({ by: "time", fraction: 0.5 }, 20, 2, 7)).toThrow(/at least 2 save times/);
});

test("weights reach the training loss and its gradient: weight 2 everywhere doubles both", () => {
  const plain = smallProblem();
  const weighted = smallProblem();
  weighted.fit = fitTargets(weighted.obs, { weights: weighted.obs.values.map((r) => r.map(() => 2)) });
  expect(weighted.fit.train).toBeDefined();
  const [f, g] = lossGrad(plain, "discrete");
  const [f2, g2] = lossGrad(weighted, "discrete");
  // Multiplying by 2 is exact in floating point, and the solves are the same.
  expect(f2).toBe(2 * f);
  expect(Array.from(g2)).toEqual(Array.from(g, (x) => 2 * x));
});

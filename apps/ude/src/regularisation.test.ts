// L2/L1 regularisation and the validation loss of a hold-out, in the training loop.
import { expect, test } from "vitest";
import { loadSeed } from "./data.js";
import { fitTargets } from "./fit.js";
import type { Problem } from "./gradients.js";
import { heldOut } from "./holdout.js";
import { makeParams, predict, rhsFor } from "./model.js";
import { parseSolver } from "./options.js";
import { addPenalty, penaltyMask, penaltyValue } from "./regularisation.js";
import { stopLine, train } from "./training.js";

function problem(): Problem {
  const seed = loadSeed();
  const n = 8;
  return {
    obs: { times: seed.times, values: seed.trainingData.slice(0, n) },
    params: makeParams(
      "ude",
      seed.connectivity.slice(0, n).map((r) => r.slice(0, n)),
      seed.nn.layers,
      "identity",
    ),
    solve: { solver: parseSolver("Tsit5"), reltol: 1e-8, abstol: 1e-10 },
  };
}

test("the penalty covers P and the net's weights, not its biases", () => {
  const { params } = problem();
  const mask = penaltyMask(params);
  // n² = 64 entries of P, weights 5×4 and 4×5; biases 5 and 4 left out.
  expect(mask.reduce((s, m) => s + m, 0)).toBe(64 + 20 + 20);
  expect(Array.from(mask.subarray(64 + 20, 64 + 25))).toEqual([0, 0, 0, 0, 0]);
  expect(Array.from(mask.subarray(64 + 45))).toEqual([0, 0, 0, 0]);
});

test("penalty gradient = central differences (L2 exact; L1 away from its kink at 0)", () => {
  const { params } = problem();
  const p = { l1: 0.3, l2: 0.7, mask: penaltyMask(params) };
  const x = Float64Array.from(params.vector, (v, j) => v + 0.01 * Math.sin(j)); // no entry at 0
  const g = new Float64Array(x.length);
  const value = addPenalty(p, x, g);
  expect(value).toBe(penaltyValue(p, x));
  const h = 1e-6;
  for (let j = 0; j < x.length; j++) {
    const xp = Float64Array.from(x);
    const xm = Float64Array.from(x);
    xp[j] += h;
    xm[j] -= h;
    const fd = (penaltyValue(p, xp) - penaltyValue(p, xm)) / (2 * h);
    // The penalty is quadratic plus piecewise linear, so central differences are exact up to
    // rounding: |value| ≈ 10, ε·10/h ≈ 2e-9.
    expect(Math.abs(fd - g[j])).toBeLessThan(1e-8);
  }
  // At 0 the L1 term's subgradient is taken as 0 (sign(0) = 0); the L2 term's gradient is 0 too.
  const zero = Float64Array.from(x);
  zero[3] = 0;
  const g0 = new Float64Array(x.length);
  addPenalty(p, zero, g0);
  expect(g0[3]).toBe(0);
});

test("--l2: the objective is data loss + penalty, recorded separately; a large λ shrinks the parameters", async () => {
  const plain = problem();
  await train(plain, {
    optimizer: "adam",
    iters: 15,
    lbfgsIters: 0,
    lr: 0.01,
    timeBudget: 1e9,
    sensealg: "discrete",
  });
  const reg = problem();
  const l2 = 0.5;
  const o = await train(reg, {
    optimizer: "adam",
    iters: 15,
    lbfgsIters: 0,
    lr: 0.01,
    timeBudget: 1e9,
    sensealg: "discrete",
    l2,
  });
  const mask = penaltyMask(reg.params);
  for (const h of o.history) {
    expect(h.penalty).toBeGreaterThan(0);
    // loss = data + penalty, added once in floating point (data = loss − penalty is rounded).
    expect(Math.abs((h.data_loss as number) + (h.penalty as number) - h.loss)).toBeLessThanOrEqual(
      4 * Number.EPSILON * h.loss,
    );
  }
  // The first record's data loss is the unregularised loss at the same (starting) parameters.
  const start = problem();
  let sq = 0;
  for (let j = 0; j < mask.length; j++) if (mask[j]) sq += start.params.vector[j] ** 2;
  expect(o.history[0].penalty).toBeCloseTo(l2 * sq, 12);
  expect(stopLine(o)).toMatch(/data [\d.]+ \+ penalty [\d.]+\)/);
  const norm = (v: Float64Array) => v.reduce((s, x, j) => s + (mask[j] ? x * x : 0), 0);
  expect(norm(reg.params.vector)).toBeLessThan(norm(plain.params.vector));
});

test("--holdout time: the validation loss of each iteration is Σ (prediction − data)² over the held-out times", async () => {
  const p = problem();
  const h = heldOut({ by: "time", fraction: 0.34 }, 8, 4, 0); // the last of t = 2, 3, 4
  expect(h.columns).toEqual([3]);
  p.fit = fitTargets(p.obs, { holdout: h });
  const start = Float64Array.from(p.params.vector);
  const o = await train(p, {
    optimizer: "adam",
    iters: 3,
    lbfgsIters: 0,
    lr: 0.01,
    timeBudget: 1e9,
    sensealg: "discrete",
  });
  // Independent of the loss code: a forward solve at the starting parameters, summed by hand.
  const q = problem();
  q.params.vector.set(start);
  const states = predict(rhsFor(q.params), q.params.tensor(), q.obs, q.solve);
  const n = 8;
  let val = 0;
  let fit = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 1; k < 4; k++) {
      const r = (states.data[k * n + i] - q.obs.values[i][k]) ** 2;
      if (k === 3) val += r;
      else fit += r;
    }
  }
  // Same solver and tolerances, the same solve: equal up to summation order (a few ulps).
  expect(Math.abs((o.history[0].validation_loss as number) - val)).toBeLessThan(1e-13 * val);
  expect(Math.abs(o.history[0].loss - fit)).toBeLessThan(1e-13 * fit);
  expect(o.history.every((r) => Number.isFinite(r.validation_loss))).toBe(true);
});

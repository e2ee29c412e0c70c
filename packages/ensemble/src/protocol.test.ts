/** The worker's task handler on this thread: parameter subsets, failures and thrown errors. */
import { expect, test } from "vitest";
import { packExperiments } from "./experiment.js";
import type { ExperimentModel } from "./model.js";
import { ensembleHandler } from "./protocol.js";

// loss(a, b) = a·b + 2b on the experiment's own parameters [a, b]: gradient [b, a + 2].
const bilinear: ExperimentModel = {
  lossAndGradient(p, _e, grad) {
    grad[0] = p[1];
    grad[1] = p[0] + 2;
    return { loss: p[0] * p[1] + 2 * p[1], retcode: "Success" };
  },
};
const one = { u0: [0], saveat: [0], data: [0] };

test("a subset reads its parameters by index and adds its gradient back at those indices", () => {
  const { views } = packExperiments([{ ...one, params: [3, 1] }], 5, false);
  const p = Float64Array.of(10, 20, 30, 40, 50);
  const grad = new Float64Array(5).fill(99);
  const reply = ensembleHandler(bilinear)({ experiment: views[0], p, grad });
  // a = p[3] = 40, b = p[1] = 20: loss 40·20 + 40 = 840, ∂a = 20 at index 3, ∂b = 42 at index 1.
  expect(reply).toEqual({ index: 0, loss: 840, retcode: "Success" });
  expect(Array.from(grad)).toEqual([0, 42, 0, 20, 0]);
});

test("an index listed twice receives both contributions (the VJP of a gather sums)", () => {
  const { views } = packExperiments([{ ...one, params: [2, 2] }], 3, false);
  const grad = new Float64Array(3);
  ensembleHandler(bilinear)({ experiment: views[0], p: Float64Array.of(0, 0, 5), grad });
  // a = b = 5: ∂a = 5 and ∂b = 7 both land on index 2.
  expect(Array.from(grad)).toEqual([0, 0, 12]);
});

test("without a shared row the gradient travels in the reply", () => {
  const { views } = packExperiments([one], 2, false);
  const reply = ensembleHandler(bilinear)({ experiment: views[0], p: Float64Array.of(3, 4) });
  expect(Array.from(reply.grad ?? [])).toEqual([4, 5]);
});

test("a failed retcode and a thrown error come back as replies, not exceptions", () => {
  const { views } = packExperiments([one], 1, false);
  const failing: ExperimentModel = {
    lossAndGradient: () => ({ loss: Number.NaN, retcode: "MaxIters", message: "raise maxiters" }),
  };
  expect(ensembleHandler(failing)({ experiment: views[0], p: Float64Array.of(1) })).toEqual({
    index: 0,
    loss: Number.NaN,
    retcode: "MaxIters",
    message: "raise maxiters",
  });
  const throwing: ExperimentModel = {
    lossAndGradient: () => {
      throw new RangeError("bad shape");
    },
  };
  expect(ensembleHandler(throwing)({ experiment: views[0], p: Float64Array.of(1) })).toEqual({
    index: 0,
    loss: Number.NaN,
    retcode: "RangeError",
    message: "the model threw: bad shape",
  });
});

test("packing checks every experiment and says what is wrong", () => {
  expect(() => packExperiments([], 1, false)).toThrow("experiments must be a non-empty array");
  expect(() => packExperiments([{ ...one, u0: [Number.POSITIVE_INFINITY] }], 1, false)).toThrow(
    "experiment 0: u0[0] = Infinity is not a finite number.",
  );
  expect(() => packExperiments([one, { ...one, params: [0, 4] }], 4, false)).toThrow(
    "experiment 1: params[1] = 4 is not an index into the parameter vector (0 ≤ index < 4).",
  );
  // NaN data means "not observed" and is accepted.
  expect(packExperiments([{ ...one, data: [Number.NaN] }], 1, true).views[0].data[0]).toBeNaN();
});

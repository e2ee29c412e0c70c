import { expect, test } from "vitest";
import { stopLine, type TrainOutcome } from "./training.js";

const base: TrainOutcome = {
  initialLoss: 26.6135,
  bestLoss: 13.6554,
  best: new Float64Array(0),
  history: Array.from({ length: 400 }, (_, i) => ({
    iteration: i + 1,
    phase: "adam" as const,
    loss: 1,
    elapsed_s: 0,
  })),
  stopReason: "completed",
  message: "",
  wall_s: 9.62,
  gradient_ms: 19.8,
  evaluations: 450,
  audits: [],
};

test("the closing line: reason, then loss before → after with the change, iterations and times", () => {
  expect(stopLine(base)).toBe(
    "Stopped: completed. Loss 26.6135 → 13.6554 (-48.7%) in 400 iterations, 9.6 s (19.8 ms per gradient).",
  );
});

test("a stop with a reason worded once, with one full stop (issue #21: 'converged (L-BFGS converged (…).).')", () => {
  const line = stopLine({
    ...base,
    stopReason: "converged",
    message: "the gradient norm fell below L-BFGS's tolerance.",
  });
  expect(line).toBe(
    "Stopped (converged): the gradient norm fell below L-BFGS's tolerance. Loss 26.6135 → 13.6554 (-48.7%) in 400 iterations, 9.6 s (19.8 ms per gradient).",
  );
  expect(line).not.toMatch(/\.\)|\)\.\)|\.\./);
  expect(line.match(/converged/g)).toHaveLength(1);
});

test("no NaN% when a loss is not finite; one iteration is singular", () => {
  const line = stopLine({
    ...base,
    initialLoss: Number.POSITIVE_INFINITY,
    bestLoss: Number.POSITIVE_INFINITY,
    history: base.history.slice(0, 1),
    stopReason: "non-finite loss",
    message: "the loss is Infinity at the starting parameters: the solves overflowed.",
  });
  expect(line).toBe(
    "Stopped (non-finite loss): the loss is Infinity at the starting parameters: the solves overflowed. No finite loss in 1 iteration, 9.6 s (19.8 ms per gradient).",
  );
  expect(line).not.toMatch(/NaN/);
  // A finite loss that rose to infinity keeps the numbers, without a percentage.
  expect(stopLine({ ...base, initialLoss: Number.POSITIVE_INFINITY, bestLoss: 3 })).toMatch(
    /Loss Infinity → 3\.00000 in 400 iterations/,
  );
});

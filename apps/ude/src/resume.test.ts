// --resume: a run stopped after 10 iterations and continued to 20 follows the same curve as a run
// of 20 (Adam: moments and step count restored; L-BFGS: iterate, gradient and memory pairs), with
// the state passed through the results.json text exactly as the CLI writes and reads it.
import { expect, test } from "vitest";
import { fitText } from "./commands/train.js";
import { loadSeed } from "./data.js";
import type { Problem } from "./gradients.js";
import { makeParams } from "./model.js";
import { parseSolver } from "./options.js";
import { resultsDocument, toJson, validationSummary } from "./results-schema.js";
import { resumeNumbers, type SavedResume, trainResumeFrom } from "./resume.js";
import { checkResume, type TrainOutcome, type TrainSettings, train } from "./training.js";

/** The seed UDE on its leading 8 nodes (P, net and data from the fixture). */
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
    solve: { solver: parseSolver("Tsit5"), reltol: 1e-6, abstol: 1e-8 },
  };
}

function settings(optimizer: TrainSettings["optimizer"], iters: number, lbfgsIters = 0): TrainSettings {
  return {
    optimizer,
    iters,
    lbfgsIters,
    lr: 0.01,
    timeBudget: Number.POSITIVE_INFINITY,
    sensealg: "discrete",
  };
}

/** The outcome through results.json's text and back, as --resume reads it. */
function roundTrip(p: Problem, s: TrainSettings, outcome: TrainOutcome) {
  const doc = resultsDocument(p, s, { command: "train", data: "seed" }, outcome, {});
  return trainResumeFrom(JSON.parse(toJson(doc, 2)), "results.json");
}

test.each([
  ["adam", settings("adam", 20), settings("adam", 10)],
  ["lbfgs", settings("lbfgs", 20), settings("lbfgs", 10)],
  // Stopped during Adam, continued through the switch to L-BFGS.
  ["adam+lbfgs", settings("adam+lbfgs", 12, 8), settings("adam", 7)],
] as const)("%s: 20 iterations = 10, saved, then resumed to 20", async (_name, full, part) => {
  const a = problem();
  const whole = await train(a, full);
  const b = problem();
  const first = await train(b, part);
  const resume = roundTrip(b, part, first);
  const c = problem();
  checkResume(full, resume, c.params.vector.length);
  const continued = await train(c, full, {}, resume);
  expect(continued.history).toHaveLength(20);
  // The same arithmetic in the same order: equal to the last bit (the brief asks for 1e-12
  // relative; exact equality is the stronger check and holds because nothing is recomputed
  // differently).
  expect(continued.history.map((h) => h.loss)).toEqual(whole.history.map((h) => h.loss));
  expect(continued.bestLoss).toBe(whole.bestLoss);
  expect(Array.from(continued.best)).toEqual(Array.from(whole.best));
  expect(Array.from(c.params.vector)).toEqual(Array.from(a.params.vector));
  expect(continued.history.map((h) => h.phase)).toEqual(whole.history.map((h) => h.phase));
  expect(continued.evaluations).toBe(whole.evaluations);
});

test("resuming from the parameters alone (a fresh optimiser) does not continue the same curve", async () => {
  // The control for the test above: without the restored moments, Adam's 11th step differs.
  const a = problem();
  const whole = await train(a, settings("adam", 12));
  const b = problem();
  const first = await train(b, settings("adam", 10));
  const c = problem();
  c.params.vector.set(first.resume?.iterate ?? []);
  const fresh = await train(c, settings("adam", 2));
  expect(fresh.history[1].loss).not.toBe(whole.history[11].loss);
});

test("checkpoints: every N iterations, with the state to resume from", async () => {
  const p = problem();
  const seen: TrainOutcome[] = [];
  await train(p, { ...settings("adam", 7), checkpointEvery: 3 }, { onCheckpoint: (o) => seen.push(o) });
  expect(seen.map((o) => [o.history.length, o.stopReason])).toEqual([
    [3, "running"],
    [6, "running"],
  ]);
  // A checkpoint is a results document --resume accepts; continuing it from 6 to 7 iterations
  // gives the 7-iteration run.
  const whole = await train(problem(), settings("adam", 7));
  const c = problem();
  const continued = await train(c, settings("adam", 7), {}, roundTrip(p, settings("adam", 7), seen[1]));
  expect(continued.history.map((h) => h.loss)).toEqual(whole.history.map((h) => h.loss));
});

test("resume refusals: other parameter count, an optimiser without the saved phase, nothing left to do", async () => {
  const b = problem();
  const s = settings("adam", 3);
  const r = roundTrip(b, s, await train(b, s));
  expect(() => checkResume(settings("adam", 5), r, 10)).toThrow(
    /saved run has 113 parameters but this model has 10/,
  );
  expect(() => checkResume(settings("lbfgs", 5), r, 113)).toThrow(
    /stopped during Adam, which --optimizer lbfgs/,
  );
  expect(() => checkResume(settings("adam", 3), r, 113)).toThrow(
    /already did 3 iterations .* Fix: raise --iters/,
  );
  expect(() => checkResume(settings("adam", 4), r, 113)).not.toThrow();
  expect(() => trainResumeFrom({ format: "udekit-ude-results" }, "old.json")).toThrow(
    /holds no optimiser state/,
  );
  expect(() => trainResumeFrom({}, "x.json")).toThrow(/is not a results document/);
});

test("a resume state too large for one JSON text is left out of results.json, saying so", async () => {
  const b = problem();
  const s = settings("lbfgs", 2);
  const outcome = await train(b, s);
  const doc = resultsDocument(b, s, { command: "train", data: "seed" }, outcome, {});
  // L-BFGS's state: x, g and 10 pairs (s, y), plus the iterate and the best point.
  const p = b.params.vector.length;
  const numbers = resumeNumbers(doc.resume as SavedResume);
  // 24 vectors; besides them ρ (10 numbers) and scalars (f, counters, the format's version).
  expect(numbers).toBeGreaterThanOrEqual(24 * p + 10);
  expect(numbers).toBeLessThan(24 * p + 20);
  const said: string[] = [];
  expect(fitText(doc, (m) => said.push(m), 24 * (numbers + p)).resume).toBeDefined();
  expect(said).toEqual([]);
  expect(fitText(doc, (m) => said.push(m), 24 * (numbers + p) - 1).resume).toBeUndefined();
  expect(said[0]).toMatch(/results\.json keeps no resume state/);
});

test("no validation summary without held-out values, even when the history carries validation losses", () => {
  const history = [
    { iteration: 1, phase: "adam" as const, loss: 3, elapsed_s: 0, validation_loss: 2 },
    { iteration: 2, phase: "adam" as const, loss: 1, elapsed_s: 0, validation_loss: 4 },
  ];
  const outcome = { history, bestLoss: 1 } as unknown as TrainOutcome;
  // (A run resumed without its --holdout printed "Validation loss (0 held-out values): …".)
  expect(validationSummary(outcome, 0)).toBeUndefined();
  expect(validationSummary(outcome, 7)).toEqual({
    held_out: 7,
    first: 2,
    at_best: 4,
    lowest: 2,
    lowest_iteration: 1,
  });
});

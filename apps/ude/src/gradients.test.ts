import { AdjointFailedError, type SolveOdeInfo } from "@udekit/ode";
import { expect, test } from "vitest";
import { loadSeed } from "./data.js";
import {
  defaultForwardSizes,
  describeAdjointFailure,
  describeFailure,
  maxAbs,
  measureGradient,
  median,
  norm2,
  type Problem,
  relativeDifference,
} from "./gradients.js";
import { makeParams } from "./model.js";
import { parseSolver } from "./options.js";

test("default forward-mode sizes: four multiples of 4 below n, at most 40", () => {
  expect(defaultForwardSizes(100)).toEqual([16, 24, 32, 40]);
  for (const n of [12, 20, 48, 1000]) {
    const s = defaultForwardSizes(n);
    expect(s.every((k) => k % 4 === 0 && k < n && k <= 40)).toBe(true);
  }
});

test("median, max |x| and an overflow-free 2-norm", () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 2, 3])).toBe(2.5);
  expect(maxAbs([1, -3, 2])).toBe(3);
  expect(norm2([3, 4])).toBe(5);
  // Squaring 3e200 overflows; the scaled sum does not (3-4-5 triangle, scaled).
  expect(norm2([3e200, 4e200]) / 5e200).toBeCloseTo(1, 15);
  expect(norm2([0, 0])).toBe(0);
});

test("relative difference: against the larger norm, symmetric, at most 2, meaningful near zero", () => {
  expect(relativeDifference(Float64Array.of(1, 1), Float64Array.of(1, 0))).toBeCloseTo(1 / Math.SQRT2, 15);
  expect(relativeDifference(Float64Array.of(1, 0), Float64Array.of(1, 1))).toBeCloseTo(1 / Math.SQRT2, 15);
  expect(relativeDifference(Float64Array.of(1, 2), Float64Array.of(-1, -2))).toBe(2);
  expect(relativeDifference(Float64Array.of(0, 0), Float64Array.of(0, 0))).toBe(0);
  // At an optimum: a gradient of norm 2e-7 against a reference of norm 3.6e-10. Divided by the
  // reference's norm this read 5.5e+2 (issue #21); against the larger norm it is about 1.
  const g = Float64Array.of(2e-7, 0);
  const ref = Float64Array.of(3.6e-10, 0);
  expect(relativeDifference(g, ref)).toBeCloseTo((2e-7 - 3.6e-10) / 2e-7, 12);
  // Large gradients do not overflow.
  expect(relativeDifference(Float64Array.of(3e200, 4e200), Float64Array.of(3e200, 4e200))).toBe(0);
});

test("failures are worded from the retcodes: forward, backward, or an overflow of the numbers", () => {
  const forward: SolveOdeInfo = {
    retcode: "MaxIters",
    message: "the forward solve failed: Stopped at t = 2: the step budget maxiters was used up.",
  };
  expect(describeFailure(forward)).toBe(
    "the forward ODE solve failed (retcode MaxIters: Stopped at t = 2: the step budget maxiters was used up). " +
      "Fix: try a stiff solver (--solver Rodas4) or looser --reltol/--abstol, or start from other parameters (--params, --seed)",
  );
  // After optimiser steps the first thing to try is a smaller step.
  expect(describeFailure(forward, true)).toMatch(/\. Fix: lower --lr \(smaller steps/);
  const stats = { naccept: 3, nreject: 0, nf: 9, njac: 0, nlu: 0, rhsEvals: 9, vjpEvals: 9 };
  const backward = {
    retcode: "Success",
    message: "",
    backward: { ...stats, retcode: "Unstable", message: "Stopped at t = 1: the state became non-finite." },
  } as unknown as SolveOdeInfo;
  expect(describeFailure(backward)).toMatch(
    /^the backward \(adjoint\) solve failed \(retcode Unstable: Stopped at t = 1: the state became non-finite\)\. Fix: /,
  );
  // Every retcode says Success: the message must not be the solver's "Integrated to the end", and
  // no learning rate is to blame before any step.
  const overflow = { retcode: "Success", message: "Integrated to the end of the time span." } as SolveOdeInfo;
  expect(describeFailure(overflow)).toMatch(
    /^the solves reached the end of the time span, but .* overflowed/,
  );
  expect(describeFailure(overflow)).toMatch(/Fix: rescale the data/);
  expect(describeFailure(overflow)).not.toMatch(/Integrated to the end|--lr/);
  for (const info of [forward, backward, overflow]) expect(describeFailure(info)).not.toMatch(/\.$|\.\./);
});

const small = (): Problem => {
  const seed = loadSeed();
  const obs = { times: seed.times, values: seed.trainingData.slice(0, 8) };
  const P = seed.connectivity.slice(0, 8).map((r) => r.slice(0, 8));
  return {
    obs,
    params: makeParams("linear", P, [], "identity"),
    solve: { solver: parseSolver("Tsit5"), reltol: 1e-6, abstol: 1e-8 },
  };
};

test("long runs print a progress line each; a long warm-up counts as the first timed run", async () => {
  // Thresholds at 0 ms make every run "long" (the defaults are 10 s).
  const lines: string[] = [];
  const r = await measureGradient(small(), "interpolating", 2, {
    log: (m) => lines.push(m),
    progressMs: 0,
    longRunMs: 0,
  });
  expect(r.ok).toBe(true);
  expect(r.timing.repeat).toBe(2);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^ {4}warm-up run: [\d.]+ ms \(long enough to count as timed run 1 of 2\)$/);
  expect(lines[1]).toMatch(/^ {4}run 2 of 2: [\d.]+ ms$/);
  // With the default thresholds these millisecond runs are silent and the warm-up is not timed.
  const quiet: string[] = [];
  const q = await measureGradient(small(), "interpolating", 2, { log: (m) => quiet.push(m) });
  expect(q.timing.repeat).toBe(2);
  expect(quiet).toEqual([]);
});

test("a stop request between runs ends the measurement with the runs timed so far", async () => {
  let calls = 0;
  const r = await measureGradient(small(), "interpolating", 100, { stop: () => ++calls > 3 });
  expect(r.interrupted).toBe(true);
  // Checked before timed runs 1, 2, 3 (false) and 4 (true): three timed runs.
  expect(r.timing.repeat).toBe(3);
  expect(r.ok).toBe(true);
});

test("an AdjointFailedError from @udekit/ode is worded with the command line's fixes, not the API's", () => {
  const e = new AdjointFailedError(
    "InterpolatingAdjoint",
    "Unstable",
    1,
    "the backward pass produced a non-finite p̄",
  );
  const text = describeAdjointFailure(e);
  expect(text).toBe(
    "the InterpolatingAdjoint gradient pass failed with retcode Unstable at t = 1: the backward pass produced a non-finite p̄. " +
      "Fix: tighten --reltol/--abstol, try a stiff solver (--solver Rodas4) or another --sensealg, or rescale the data or the starting parameters",
  );
  expect(text).not.toMatch(/maxiters|Rodas5P|Try:/);
  expect(describeAdjointFailure(e, true)).toMatch(/\. Fix: lower --lr/);
});

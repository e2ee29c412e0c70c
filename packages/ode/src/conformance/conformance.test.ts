/** Every entry of ALL_SOLVERS passes every conformance check (see CONTRIBUTING.md). */
import { describe, expect, test } from "vitest";
import { ALL_SOLVERS } from "../solvers/index.js";
import {
  checkConvergence,
  checkDenseOutput,
  checkRetcodes,
  checkReversibility,
  checkStats,
  checkTableau,
  convergenceProblems,
} from "./index.js";

describe.each(ALL_SOLVERS.map((s) => [s.name, s] as const))("%s conforms", (_name, solver) => {
  test("tableau consistency and order conditions", () => {
    const r = checkTableau(solver);
    expect(r.ok, r.detail).toBe(true);
  });
  for (const ap of convergenceProblems(solver)) {
    test(`convergence slope within ±0.2 of order ${solver.order} on ${ap.name}`, () => {
      const r = checkConvergence(solver, ap);
      expect(r.ok, r.detail).toBe(true);
    });
  }
  test("dense output exact at step ends and of its order inside steps", () => {
    const r = checkDenseOutput(solver);
    expect(r.ok, r.detail).toBe(true);
  });
  test("reversibility: forward then backward returns to u0", () => {
    const r = checkReversibility(solver);
    expect(r.ok, r.detail).toBe(true);
  });
  test("stats: counted RHS calls, cost model, njac/nlu", () => {
    const r = checkStats(solver);
    expect(r.ok, r.detail).toBe(true);
  });
  test("forced failures give MaxIters, DtLessThanMin, Unstable", () => {
    const r = checkRetcodes(solver);
    expect(r.ok, r.detail).toBe(true);
  });
});

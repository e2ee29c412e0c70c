import { tensor } from "@udekit/autodiff";
import { describe, expect, it } from "vitest";
import { handWrittenSeedProblems } from "./hand-written-rhs.js";
import { linearProblem, linearRhs, UDE_N, udeParams, udeRhs } from "./seed.js";

describe("hand-written seed right-hand sides (the forward-floor table's)", () => {
  const lp = linearProblem(UDE_N);
  const hand = handWrittenSeedProblems(lp.u0);
  // A state away from the data, with entries of both signs, so every tanh branch is taken.
  const u = Float64Array.from({ length: UDE_N }, (_, i) => Math.sin(1.3 * i) * (1 + (i % 7)));
  const p = udeParams();

  it("compute the same du as the tensor right-hand sides the tapes compile", () => {
    const du = new Float64Array(UDE_N);
    for (const [problem, expected] of [
      [hand.linear, linearRhs(tensor(u), tensor(p.slice(0, UDE_N * UDE_N), [UDE_N, UDE_N])).data],
      [hand.ude, udeRhs(tensor(u), tensor(p)).data],
    ] as const) {
      const f = problem.f;
      if (f === undefined) throw new Error("expected an in-place right-hand side");
      f(du, u, problem.p, 0);
      for (let i = 0; i < UDE_N; i++) {
        // Different summation order in the net's dot products and P·u: a few ulp of |du|'s scale.
        expect(Math.abs(du[i] - expected[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected[i])));
      }
    }
  });
});

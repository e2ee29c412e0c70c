// A stiff solve whose n×n matrices cannot fit is refused at once with a typed error (issue #21),
// instead of a heap crash after minutes.
import { AllocationLimitError } from "@udekit/kernels";
import { expect, test } from "vitest";
import { ODEProblem } from "./problem.js";
import { solve } from "./solve.js";
import { Rodas5P } from "./solvers/index.js";

test("Rodas5P on n = 100 000 states is refused with the solve's work arrays named", () => {
  const n = 100_000;
  const problem = new ODEProblem(
    (du: Float64Array, u: Float64Array) => {
      for (let i = 0; i < n; i++) du[i] = -u[i];
    },
    new Float64Array(n),
    [0, 1],
  );
  const start = performance.now();
  expect(() => solve(problem, Rodas5P())).toThrow(AllocationLimitError);
  expect(() => solve(problem, Rodas5P())).toThrow(/the work arrays of a solve .* needs 160 GB .*Fix:/);
  expect(performance.now() - start).toBeLessThan(5000);
});

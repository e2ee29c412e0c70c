// Work arrays handed out without zero-filling (workspace(…, { zeroed: false }): the explicit
// stepper's and the integrator's; the discrete adjoint's) must be written before they are read.
// Each case runs twice: as usual, and with every such array filled with NaN when handed out
// (fillEmptyArraysWith): a read of an entry before it was written turns the second run's
// results into NaN or changes their bits.
import { add, mul, neg, sin, square, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { fillEmptyArraysWith } from "@udekit/kernels";
import { describe, expect, test } from "vitest";
import { ODEProblem } from "./problem.js";
import { DiscreteAdjoint, InterpolatingAdjoint } from "./sensitivity/sensealg.js";
import { solveOde } from "./sensitivity/solve-ode.js";
import { solve } from "./solve.js";
import { ALL_SOLVERS, defaultSolver } from "./solvers/index.js";
import type { OdeSolver } from "./stepper.js";

/** Runs `work` as usual and with NaN-filled work arrays; returns both results. */
function onBothMemories(work: () => Float64Array): [Float64Array, Float64Array] {
  const plain = work();
  fillEmptyArraysWith(Number.NaN);
  try {
    return [plain, work()];
  } finally {
    fillEmptyArraysWith(undefined);
  }
}

const sameBits = (a: Float64Array, b: Float64Array): boolean =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

// A nonlinear, time-dependent system of 40 states: large enough that the stage sums run in wasm,
// as they do at the sizes where the unzeroed arrays matter. (Both backends skip a stage whose
// coefficient is zero, so a stage sum over a stage not yet computed reads nothing.)
const N = 40;
const problem = new ODEProblem(
  (du: Float64Array, u: Float64Array, p: Float64Array, t: number) => {
    for (let i = 0; i < N; i++) du[i] = -p[0] * u[i] + Math.sin(u[(i + 1) % N]) + 0.1 * t;
  },
  Array.from({ length: N }, (_, i) => Math.cos(i)),
  [0, 2],
  [1.5],
);
const saveat = [0.3, 1, 1.7, 2];
const solvers: [string, OdeSolver][] = [
  ...ALL_SOLVERS.map((s): [string, OdeSolver] => [s.name, s]),
  ["default (AutoTsit5(Rodas5P))", defaultSolver()],
];

describe.each(solvers)("%s: work arrays written before they are read", (_name, solver) => {
  test("gives the same bits with NaN-filled work arrays (adaptive where it can, fixed step, dense output)", () => {
    const run = (): Float64Array => {
      const out: number[] = [];
      if (solver.adaptive) {
        const sol = solve(problem, solver, { reltol: 1e-6, abstol: 1e-8, dense: true });
        out.push(sol.retcode === "Success" ? 1 : 0, ...sol.u, ...sol.at(0.77), ...sol.at(1.31));
      }
      const fixed = solve(problem, solver, { dt: 0.05, adaptive: false, saveat });
      out.push(fixed.retcode === "Success" ? 1 : 0, ...fixed.u);
      return Float64Array.from(out);
    };
    const [clean, poisoned] = onBothMemories(run);
    expect(clean.every(Number.isFinite)).toBe(true);
    expect(clean[0]).toBe(1);
    expect(sameBits(poisoned, clean)).toBe(true);
  });
});

describe("gradients through solveOde: work arrays written before they are read", () => {
  const rhs = (u: Tensor, p: Tensor, t: Tensor) => add(add(mul(neg(p), u), sin(u)), mul(t, 0.1));
  const u0 = tensor(Array.from({ length: N }, (_, i) => Math.cos(i)));
  const p = tensor([1.5]);
  test.each([
    ["DiscreteAdjoint, Tsit5", DiscreteAdjoint(), solvers.find(([n]) => n === "Tsit5")![1]],
    ["DiscreteAdjoint, Vern9", DiscreteAdjoint(), solvers.find(([n]) => n === "Vern9")![1]],
    [
      "DiscreteAdjoint (checkpoints: 3), DP5",
      DiscreteAdjoint({ checkpoints: 3 }),
      solvers.find(([n]) => n === "DP5")![1],
    ],
    ["InterpolatingAdjoint, Tsit5", InterpolatingAdjoint(), solvers.find(([n]) => n === "Tsit5")![1]],
  ] as const)("%s: the same bits with NaN-filled work arrays", (_name, sensealg, solver) => {
    const run = (): Float64Array => {
      const loss = (q: Tensor) =>
        sum(
          square(solveOde(rhs, u0, q, { tspan: [0, 2], saveat: [0.45, 2], solver, reltol: 1e-7, sensealg })),
        );
      const [value, g] = valueAndGrad(loss)(p);
      return Float64Array.of(value.item(), ...g.data);
    };
    const [clean, poisoned] = onBothMemories(run);
    expect(clean.every(Number.isFinite)).toBe(true);
    expect(sameBits(poisoned, clean)).toBe(true);
  });
});

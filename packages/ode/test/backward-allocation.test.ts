/**
 * The backward passes of solveOde's VJP make no typed array per backward step, with an
 * explicit Runge–Kutta solver and with a Rosenbrock solver. Written against the public API
 * only (solveOde, the sensitivity algorithms and the solvers from the package entry, vjp from
 * @udekit/autodiff), so it holds whatever the drivers look like inside.
 * Method: the forward solve runs in vjp(); typed-array constructions (and views) are counted
 * (typed-array-counter.ts) while the pullback runs, at two tolerances whose backward step
 * counts differ several-fold. Each pullback runs once uncounted first, so that one-off lazy
 * constructions (the kernels cache views of their scratch the first time they need them) are
 * not counted. With the same save points, everything a pullback makes once, or once per save
 * interval, is the same at both tolerances: the counts must be equal.
 */
import { matvec, mul, square, sub, sum, type Tensor, tensor, vjp } from "@udekit/autodiff";
import { clearBufferPool } from "@udekit/kernels";
import { afterEach, describe, expect, test } from "vitest";
import {
  DiscreteAdjoint,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  Rodas4,
  Rodas5P,
  type SensitivityAlgorithm,
  type SolveOdeInfo,
  solveOde,
  Tsit5,
  Vern7,
} from "../src/index.js";
import type { OdeSolver } from "../src/stepper.js";
import { countTypedArrays, restoreTypedArrays } from "./typed-array-counter.js";

afterEach(restoreTypedArrays);

// du/dt = A(P)·u with A(P) = P − diag(P·1): the seed model's linear part, as a tensor function
// (so the VJPs and the Rosenbrock adjoint's Jacobian come from its compiled tape).
const n = 12;
let seed = 7;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const P = tensor(Float64Array.from({ length: n * n }, rand), [n, n]);
const u0 = tensor(Float64Array.from({ length: n }, rand));
const linear = (u: Tensor, p: Tensor) => sub(matvec(p, u), mul(sum(p, 1), u));

interface PullbackCount {
  arrays: number;
  /** Backward steps (accepted and rejected). */
  steps: number;
  /** Accepted steps of the forward solve. */
  forwardSteps: number;
  retcodes: unknown[];
}

function pullbackArrays(solver: OdeSolver, sensealg: SensitivityAlgorithm, reltol: number): PullbackCount {
  const info: SolveOdeInfo = {};
  const forward = (x: Tensor, p: Tensor) =>
    sum(
      square(
        solveOde(linear, x, p, {
          tspan: [0, 3],
          saveat: [1, 2, 3],
          solver,
          reltol,
          abstol: reltol * 1e-2,
          sensealg,
          info,
        }),
      ),
    );
  const [, pullback] = vjp(forward, u0, P);
  const cotangent = tensor(1);
  // Warm-up: one pullback (the kernels cache views of their scratch the first time), then a
  // fresh forward whose pullback is counted (a pullback hands its dense output back, so a
  // second pullback of the same forward would solve again).
  pullback(cotangent);
  const [, counted] = vjp(forward, u0, P);
  // An empty buffer pool, so each pooled buffer the pullback takes is a construction at both
  // tolerances (which sizes the pool could hand back would otherwise differ between them).
  clearBufferPool();
  const [, arrays] = countTypedArrays(() => counted(cotangent));
  return {
    arrays,
    steps: (info.backward?.naccept ?? 0) + (info.backward?.nreject ?? 0),
    forwardSteps: info.forward?.naccept ?? 0,
    retcodes: [info.retcode, info.backward?.retcode],
  };
}

type Case = [name: string, solver: () => OdeSolver, sensealg: () => SensitivityAlgorithm];
const SOLVERS: [string, () => OdeSolver][] = [
  ["Tsit5", Tsit5],
  ["Vern7 (lazy extra dense stages)", Vern7],
  ["Rodas4", Rodas4],
  ["Rodas5P", Rodas5P],
];
const ALGORITHMS: [string, () => SensitivityAlgorithm][] = [
  ["InterpolatingAdjoint", () => InterpolatingAdjoint()],
  ["QuadratureAdjoint", () => QuadratureAdjoint()],
];
const cases: Case[] = ALGORITHMS.flatMap(([alg, sensealg]) =>
  SOLVERS.map(([name, solver]): Case => [`${alg} with ${name}`, solver, sensealg]),
);

describe("backward pass: no typed array per backward step", () => {
  test.each(cases)("%s", (_name, solver, sensealg) => {
    const loose = pullbackArrays(solver(), sensealg(), 1e-5);
    const tight = pullbackArrays(solver(), sensealg(), 1e-10);
    expect([...loose.retcodes, ...tight.retcodes]).toEqual(["Success", "Success", "Success", "Success"]);
    expect(tight.steps).toBeGreaterThan(3 * loose.steps);
    expect(tight.arrays).toBe(loose.arrays);
  });
});

describe("DiscreteAdjoint: no typed array per forward step walked back", () => {
  // It walks the forward steps (no backward integrator): the tight tolerance walks several
  // times more of them, with the same constructions.
  test.each([
    ["stored stages, Tsit5", Tsit5, () => DiscreteAdjoint()],
    ["stored stages, Vern7", Vern7, () => DiscreteAdjoint()],
    ["checkpoints: 4, Tsit5", Tsit5, () => DiscreteAdjoint({ checkpoints: 4 })],
  ] as const)("%s", (_name, solver, sensealg) => {
    const loose = pullbackArrays(solver(), sensealg(), 1e-5);
    const tight = pullbackArrays(solver(), sensealg(), 1e-10);
    expect([...loose.retcodes, ...tight.retcodes]).toEqual(["Success", "Success", "Success", "Success"]);
    expect(tight.forwardSteps).toBeGreaterThan(3 * loose.forwardSteps);
    expect(tight.arrays).toBe(loose.arrays);
  });
});

/**
 * With checkpointing, the pullback re-solves each save interval forward with dense output,
 * whose per-step stores grow by doubling (amortised): the guard is that the constructions grow
 * like the number of doublings, not like the re-solved steps. A typed array per re-solved
 * forward step would add at least F_tight − F_loose (the forward step counts) arrays; the
 * doublings of the three intervals' stores add a few tens at most here (measured 0 to 24 with
 * a saveDense that makes no view). A quarter of F_tight − F_loose separates the two.
 */
const checkpointed = new Map<string, { loose: PullbackCount; tight: PullbackCount }>();
function checkpointedCounts(name: string, solver: () => OdeSolver) {
  let counts = checkpointed.get(name);
  if (counts === undefined) {
    const alg = () => InterpolatingAdjoint({ checkpointing: true });
    counts = { loose: pullbackArrays(solver(), alg(), 1e-5), tight: pullbackArrays(solver(), alg(), 1e-10) };
    checkpointed.set(name, counts);
  }
  return counts;
}

describe("InterpolatingAdjoint with checkpointing: constructions grow with the doublings, not the steps", () => {
  // The measurement itself, kept out of the test.fails below so that it cannot pass by a
  // failed solve or too few steps.
  test.each(SOLVERS)("%s: solves, and the tight tolerance takes many more steps", (name, solver) => {
    const { loose, tight } = checkpointedCounts(name, solver);
    expect([...loose.retcodes, ...tight.retcodes]).toEqual(["Success", "Success", "Success", "Success"]);
    expect(tight.forwardSteps).toBeGreaterThan(3 * loose.forwardSteps);
  });

  // The interval re-solves store their dense output through the engines' saveDense, whose view
  // is made once per stepper (it used to be one per re-solved step).
  test.each(SOLVERS)("%s: constructions", (name, solver) => {
    const { loose, tight } = checkpointedCounts(name, solver);
    expect(tight.arrays - loose.arrays).toBeLessThan((tight.forwardSteps - loose.forwardSteps) / 4);
  });
});

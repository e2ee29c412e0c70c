// Every sensitivity method hands its arena buffers back when a gradient is done, not at some
// later garbage collection: a training loop is synchronous and never yields to the finalisers,
// and a full arena sends every kernel call down the copying path (DirectBackprop once left its
// step-sequence integrator to the finaliser: gradbench's ode eval filled all 48 MiB in one row
// and ran its later rows 2× slower). Reference: the arena's live allocations, which must not grow
// over gradients taken back to back without yielding.
import { concat, mul, slice, square, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { arenaStats } from "@udekit/kernels";
import { expect, test } from "vitest";
import { RK4, Rodas5P, Tsit5 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import {
  BacksolveAdjoint,
  DirectBackprop,
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { solveOde } from "./solve-ode.js";

const N = 300;
const chain = (y: Tensor, x: Tensor) => concat([slice(x, 0, 1), mul(slice(x, 1, N), slice(y, 0, N - 1))]);
const x = tensor(Float64Array.from({ length: N }, (_, i) => 0.2 + ((i * 37) % 10) / 20));
const y0 = tensor(new Float64Array(N).fill(0.1));

const cases: [string, SensitivityAlgorithm, OdeSolver, Record<string, unknown>][] = [
  ["DirectBackprop", DirectBackprop(), Tsit5(), { reltol: 1e-6 }],
  ["DirectBackprop, fixed steps", DirectBackprop(), RK4(), { dt: 0.1, adaptive: false }],
  ["DiscreteAdjoint", DiscreteAdjoint(), Tsit5(), { reltol: 1e-6 }],
  ["DiscreteAdjoint, checkpoints", DiscreteAdjoint({ checkpoints: 3 }), Tsit5(), { reltol: 1e-6 }],
  ["DiscreteAdjoint, Rodas5P", DiscreteAdjoint(), Rodas5P(), { reltol: 1e-5 }],
  ["InterpolatingAdjoint", InterpolatingAdjoint(), Tsit5(), { reltol: 1e-6 }],
  [
    "InterpolatingAdjoint, checkpointing",
    InterpolatingAdjoint({ checkpointing: true }),
    Tsit5(),
    { reltol: 1e-6 },
  ],
  ["QuadratureAdjoint", QuadratureAdjoint(), Tsit5(), { reltol: 1e-6 }],
  ["BacksolveAdjoint", BacksolveAdjoint(), Tsit5(), { reltol: 1e-6 }],
  ["ForwardSensitivity", ForwardSensitivity(), Tsit5(), { reltol: 1e-6 }],
];

test.each(cases)(
  "%s: gradients back to back leave the arena as they found it",
  (_name, sensealg, solver, extra) => {
    const gradient = valueAndGrad((xx: Tensor) =>
      sum(square(solveOde(chain, y0, xx, { tspan: [0, 1], saveat: [0.5, 1], solver, sensealg, ...extra }))),
    );
    // Warm: the compiled right-hand side keeps its own buffers for as long as it lives.
    gradient(x);
    const before = arenaStats().liveAllocations;
    for (let i = 0; i < 5; i++) gradient(x);
    expect(arenaStats().liveAllocations).toBe(before);
  },
);

// A training loop is one long synchronous loop: it never yields to the finalisers that hand
// arena buffers back, so every solve must hand its own back. Each solveOde gradient leaves the
// kernels' arena as it found it (before: each forward kept its stepper's buffers, 11·n numbers
// with Tsit5, until a garbage collection that a loop never reaches — the arena filled and every
// kernel call then copied its operands). A pullback called twice still works.

import { matvec, mul, square, sub, sum, type Tensor, tensor, vjp } from "@udekit/autodiff";
import { arenaStats } from "@udekit/kernels";
import { describe, expect, test } from "vitest";
import { Rodas5P, Tsit5 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import {
  DiscreteAdjoint,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { solveOde } from "./solve-ode.js";

const n = 40;
const P = tensor(
  Float64Array.from({ length: n * n }, (_, k) => ((k * 7919) % 97) / 970),
  [n, n],
);
const u0 = tensor(Float64Array.from({ length: n }, (_, i) => Math.cos(i)));
const linear = (u: Tensor, p: Tensor) => sub(matvec(p, u), mul(sum(p, 1), u));

function loss(solver: OdeSolver, sensealg: SensitivityAlgorithm) {
  return (x: Tensor, p: Tensor) =>
    sum(
      square(
        solveOde(linear, x, p, {
          tspan: [0, 2],
          saveat: [1, 2],
          solver,
          reltol: 1e-6,
          abstol: 1e-8,
          sensealg,
        }),
      ),
    );
}

describe.each([
  ["InterpolatingAdjoint, Tsit5", Tsit5(), InterpolatingAdjoint()],
  ["QuadratureAdjoint, Tsit5", Tsit5(), QuadratureAdjoint()],
  ["DiscreteAdjoint, Tsit5", Tsit5(), DiscreteAdjoint()],
  ["InterpolatingAdjoint, Rodas5P", Rodas5P(), InterpolatingAdjoint()],
  ["InterpolatingAdjoint (checkpointing), Tsit5", Tsit5(), InterpolatingAdjoint({ checkpointing: true })],
  ["DiscreteAdjoint (checkpoints), Rodas5P", Rodas5P(), DiscreteAdjoint({ checkpoints: 3 })],
] as const)("%s", (_name, solver, sensealg) => {
  test("gradients in a loop leave the arena as they found it", () => {
    const f = loss(solver, sensealg);
    const [, warm] = vjp(f, u0, P);
    warm(tensor(1));
    const before = arenaStats().usedBytes;
    for (let i = 0; i < 10; i++) {
      const [, pullback] = vjp(f, u0, P);
      pullback(tensor(1));
    }
    expect(arenaStats().usedBytes).toBe(before);
  });
  test("a pullback called twice gives the same gradient", () => {
    const [, pullback] = vjp(loss(solver, sensealg), u0, P);
    const first = pullback(tensor(1)).map((g) => Array.from(g.data));
    const second = pullback(tensor(1)).map((g) => Array.from(g.data));
    expect(second).toEqual(first);
  });
});

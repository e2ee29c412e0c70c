// DiscreteAdjoint through a composite that switched (composite-discrete-adjoint.ts), on the
// fixed-step problem of auto-switch-gradient.test.ts (Tsit5 → Rodas5P at t ≈ 0.012, back at
// t ≈ 0.175): save points exactly on the switch boundaries belong to the segment that ends
// there (each cotangent enters once), and the same solve mirrored in time (tspan [0, −0.6]) gives
// the same gradient.
import {
  add,
  cos,
  mul,
  neg,
  sigmoid,
  square,
  stack,
  sub,
  sum,
  type Tensor,
  tensor,
  unstack,
  valueAndGrad,
} from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { AutoTsit5, Rodas5P } from "../solvers/index.js";
import { DiscreteAdjoint } from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

/** x relaxes onto cos t at rate k(t) ≈ k₀ (stiff) until t ≈ 0.2, then ≈ 10; y integrates x. */
const f = (u: Tensor, p: Tensor, t: Tensor) => {
  const [x, y] = unstack(u);
  const [k0, c] = unstack(p);
  const k = add(mul(k0, sigmoid(mul(sub(0.2, t), 100))), 10);
  return stack([mul(neg(k), sub(x, cos(t))), sub(x, mul(c, y))]);
};
/** The same problem in reversed time: F(u, t) = −f(u, 1 − t) on [1, 0.4] retraces f on [0, 0.6]. */
const mirrored = (u: Tensor, p: Tensor, t: Tensor) => neg(f(u, p, sub(1, t)));

const DT = 1.1e-3;
const x0 = [2, 0];
const p0 = [3000, 0.5];

function loss(rhs: typeof f, end: number, saveat: number[], info?: SolveOdeInfo, start = 0, scale = 1) {
  return (u: Tensor, p: Tensor) =>
    mul(
      scale,
      sum(
        square(
          solveOde(rhs, u, p, {
            tspan: [start, end],
            saveat,
            solver: AutoTsit5(Rodas5P()),
            dt: DT,
            adaptive: false,
            sensealg: DiscreteAdjoint(),
            info,
          }),
        ),
      ),
    );
}

function switchTimes(): number[] {
  const info: SolveOdeInfo = {};
  loss(f, 0.6, [0.6], info)(tensor(x0), tensor(p0));
  const switches = info.forward?.switches ?? [];
  expect(switches.map((s) => s.to)).toEqual(["Rodas5P", "Tsit5"]);
  return switches.map((s) => s.t);
}

describe("DiscreteAdjoint through a composite that switched", () => {
  test("save points on the switch boundaries: the gradient against central differences", () => {
    const [t1, t2] = switchTimes();
    // A save point at t0 too: the first segment takes it (its cotangent goes to u0 directly).
    const saveat = [0, t1, 0.1, t2, 0.6];
    const info: SolveOdeInfo = {};
    const [, [gu, gp]] = valueAndGrad(loss(f, 0.6, saveat, info), [0, 1])(tensor(x0), tensor(p0));
    // Save points do not move the steps or the switches (they are interpolated, not stepped to).
    expect(info.forward?.switches?.map((s) => s.t)).toEqual([t1, t2]);
    const L = (x: number[], q: number[]) => loss(f, 0.6, saveat)(tensor(x), tensor(q)).item();
    const d4 = (g: (h: number) => number, h: number) =>
      (8 * (g(h) - g(-h)) - (g(2 * h) - g(-2 * h))) / (12 * h);
    const fd = [
      d4((h) => L([2 + h, 0], p0), 1e-4),
      d4((h) => L([2, h], p0), 1e-4),
      d4((h) => L(x0, [3000 + h, 0.5]), 1e-1),
      d4((h) => L(x0, [3000, 0.5 + h]), 1e-4),
    ];
    const g = [...gu.data, ...gp.data];
    // Fourth-order differences (truncation O(h⁴), rounding ~1e-16·L/h): measured ≤ 1.6e-10
    // relative; a cotangent counted in both segments at a boundary, or in neither, is off by O(1).
    for (let i = 0; i < 4; i++) expect(Math.abs(g[i] - fd[i])).toBeLessThan(1e-8 * Math.abs(fd[i]));
  });

  test("the same solve backward in time gives the same gradient", () => {
    const saveat = [0.1, 0.3, 0.6];
    const [forwardValue, forward] = valueAndGrad(loss(f, 0.6, saveat), [0, 1])(tensor(x0), tensor(p0));
    const info: SolveOdeInfo = {};
    const [backwardValue, backward] = valueAndGrad(
      loss(
        mirrored,
        0.4,
        saveat.map((s) => 1 - s),
        info,
        1,
      ),
      [0, 1],
    )(tensor(x0), tensor(p0));
    expect(info.forward?.switches?.map((s) => s.to)).toEqual(["Rodas5P", "Tsit5"]);
    // Only the rounding of the times 1 − t differs: measured 6e-16 relative for the value, ≤ 4.7e-13
    // for the gradient; 1e-10 leaves room, a walk in the wrong direction is off by O(1).
    expect(Math.abs(backwardValue.item() - forwardValue.item())).toBeLessThan(1e-10 * forwardValue.item());
    const a = [...forward[0].data, ...forward[1].data];
    const b = [...backward[0].data, ...backward[1].data];
    for (let i = 0; i < 4; i++) expect(Math.abs(b[i] - a[i])).toBeLessThan(1e-10 * Math.abs(a[i]));
  });
});

test("a non-finite gradient through the segments is a failure that names DiscreteAdjoint", () => {
  // The loss scaled by 1e308 twice: every cotangent is infinite.
  expect(() =>
    valueAndGrad(loss(f, 0.6, [0.3, 0.6], undefined, 0, 1e308 * 1e308), [0, 1])(tensor(x0), tensor(p0)),
  ).toThrow(/: DiscreteAdjoint: the backward pass produced a non-finite λ\(t0\)/);
});

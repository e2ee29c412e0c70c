// DirectBackprop (direct-backprop.ts): the replayed steps are the forward solve's own, save points
// inside a step served by its dense output; an in-place right-hand side's tape op gives each input its own part of the
// VJP (also when only one of u0 and p is differentiated); save points at t0.
import { mul, square, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { ODEProblem } from "../problem.js";
import { solve } from "../solve.js";
import { Rodas4, Tsit5 } from "../solvers/index.js";
import type { InPlaceOdeRhs } from "./differentiable-rhs.js";
import { SensitivityOptionError } from "./errors.js";
import { DirectBackprop } from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

/** u′ = p·u in place, with its VJP. */
const inPlace: InPlaceOdeRhs = {
  f: (du, u, p) => {
    for (let i = 0; i < u.length; i++) du[i] = p[0] * u[i];
  },
  vjp: (uBar, pBar, l, u, p) => {
    let s = 0;
    for (let i = 0; i < u.length; i++) {
      uBar[i] = p[0] * l[i];
      s += u[i] * l[i];
    }
    if (pBar !== null) pBar[0] = s;
  },
};
const saveat = [0.5, 1.5];
const options = { tspan: [0, 1.5] as const, saveat, solver: Tsit5(), reltol: 1e-10, abstol: 1e-12 };

const loss = (u: Tensor, p: Tensor) =>
  sum(square(solveOde(inPlace, u, p, { ...options, sensealg: DirectBackprop() })));

/** L = Σₖ Σᵢ (u0ᵢ·e^(p·tₖ))²: ∂L/∂u0ᵢ = Σₖ 2u0ᵢ·e^(2p·tₖ), ∂L/∂p = Σₖ 2tₖ·e^(2p·tₖ)·‖u0‖². */
function exact(x0: number[], rate: number) {
  const norm2 = x0.reduce((a, x) => a + x * x, 0);
  return {
    gu: x0.map((x) => saveat.reduce((a, t) => a + 2 * x * Math.exp(2 * rate * t), 0)),
    gp: saveat.reduce((a, t) => a + 2 * t * Math.exp(2 * rate * t) * norm2, 0),
  };
}
// The discrete solution at reltol 1e-10 against the closed form: measured ≤ 7.5e-12 relative;
// 1e-8 leaves room (a VJP part sent to the wrong input, or dropped, is off by O(1)).
const TOL = 1e-8;

describe("DirectBackprop with an in-place right-hand side", () => {
  const x0 = [1, -2];
  const rate = 0.8;
  const want = exact(x0, rate);

  test("both inputs", () => {
    const [, [gu, gp]] = valueAndGrad(loss, [0, 1])(tensor(x0), tensor([rate]));
    for (let i = 0; i < 2; i++)
      expect(Math.abs(gu.data[i] - want.gu[i])).toBeLessThan(TOL * Math.abs(want.gu[i]));
    expect(Math.abs(gp.item() - want.gp)).toBeLessThan(TOL * want.gp);
  });

  test("p only (u0 a constant) and u0 only (p a constant)", () => {
    const [, [gp]] = valueAndGrad((p: Tensor) => loss(tensor(x0), p), [0])(tensor([rate]));
    expect(Math.abs(gp.item() - want.gp)).toBeLessThan(TOL * want.gp);
    const [, [gu]] = valueAndGrad((u: Tensor) => loss(u, tensor([rate])), [0])(tensor(x0));
    for (let i = 0; i < 2; i++)
      expect(Math.abs(gu.data[i] - want.gu[i])).toBeLessThan(TOL * Math.abs(want.gu[i]));
  });
});

describe("the steps and the rows", () => {
  test("the tape holds the forward solve's own steps, and its rows are that solve's values (save points inside steps through the dense output)", () => {
    const info: SolveOdeInfo = {};
    const rows = solveOde(inPlace, tensor([1, -2]), tensor([0.8]), {
      ...options,
      sensealg: DirectBackprop(),
      info,
    });
    const plain = solve(
      new ODEProblem(inPlace.f, Float64Array.of(1, -2), [0, 1.5], Float64Array.of(0.8), { kind: "inplace" }),
      Tsit5(),
      { reltol: 1e-10, abstol: 1e-12, saveat },
    );
    expect(info.tapeSteps).toBe(plain.stats.naccept);
    expect(info.forward?.naccept).toBe(plain.stats.naccept);
    // t = 0.5 falls inside a step: the interpolant's value, not a step cut short to land on it
    // (that would differ by the solve's error, ~1e-10 here). The same arithmetic in another
    // order: rounding only.
    const t05 = plain.t.indexOf(0.5);
    expect(t05).toBe(0);
    for (let i = 0; i < rows.size; i++)
      expect(Math.abs(rows.data[i] - plain.u[i])).toBeLessThan(1e-14 * Math.abs(plain.u[i]));
  });

  test("the tape stops with the step that reaches the last save point (the forward solve runs on to tspan's end)", () => {
    const info: SolveOdeInfo = {};
    solveOde(inPlace, tensor([1, -2]), tensor([0.8]), {
      ...options,
      saveat: [0.5],
      sensealg: DirectBackprop(),
      info,
    });
    const plain = solve(
      new ODEProblem(inPlace.f, Float64Array.of(1, -2), [0, 1.5], Float64Array.of(0.8), { kind: "inplace" }),
      Tsit5(),
      { reltol: 1e-10, abstol: 1e-12 },
    );
    // plain.t: t0, then every step end; the first end at or past 0.5 is step number i.
    const i = plain.t.findIndex((t) => t >= 0.5);
    expect(i).toBeGreaterThan(0);
    expect(i).toBeLessThan(plain.t.length - 1);
    expect(info.tapeSteps).toBe(i);
  });

  test("info reports the plain solve's rejected attempts and its message, as the other methods' info does", () => {
    // A first step of 1 is far too long at these tolerances: the controller rejects it.
    const stepping = { ...options, dt: 1 };
    const info: SolveOdeInfo = {};
    solveOde(inPlace, tensor([1, -2]), tensor([0.8]), { ...stepping, sensealg: DirectBackprop(), info });
    const plain = solve(
      new ODEProblem(inPlace.f, Float64Array.of(1, -2), [0, 1.5], Float64Array.of(0.8), { kind: "inplace" }),
      Tsit5(),
      { reltol: 1e-10, abstol: 1e-12, dt: 1, saveat },
    );
    expect(plain.stats.nreject).toBeGreaterThan(0);
    expect(info.forward?.nreject).toBe(plain.stats.nreject);
    expect(info.retcode).toBe("Success");
    expect(info.message).toBe(plain.message);
  });

  test("save points at t0, once or repeated, are u0 itself; no step is taken when all are", () => {
    const info: SolveOdeInfo = {};
    const [value, [gu, gp]] = valueAndGrad(
      (u: Tensor, p: Tensor) =>
        sum(
          mul(
            tensor([
              [1, 2],
              [3, 4],
            ]),
            solveOde(inPlace, u, p, { tspan: [0, 1], saveat: [0, 0], sensealg: DirectBackprop(), info }),
          ),
        ),
      [0, 1],
    )(tensor([1, -2]), tensor([0.8]));
    expect(value.item()).toBe(1 - 4 + 3 - 8);
    expect(Array.from(gu.data)).toEqual([4, 6]);
    expect(gp.item()).toBe(0);
    expect(info.tapeSteps).toBe(0);
    const rows = solveOde(inPlace, tensor([1, -2]), tensor([0.8]), {
      ...options,
      saveat: [0, 0, 1.5],
      sensealg: DirectBackprop(),
    });
    expect(Array.from(rows.data.subarray(0, 4))).toEqual([1, -2, 1, -2]);
    const end = Math.exp(0.8 * 1.5);
    expect(Math.abs(rows.data[4] - end)).toBeLessThan(TOL * end);
  });
});

describe("refusals and failures", () => {
  test("a Rosenbrock solver is refused, with what to use instead", () => {
    const call = () =>
      solveOde(inPlace, tensor([1, -2]), tensor([0.8]), {
        ...options,
        solver: Rodas4(),
        sensealg: DirectBackprop(),
      });
    expect(call).toThrow(SensitivityOptionError);
    expect(call).toThrow(
      "solveOde: DirectBackprop replays explicit Runge–Kutta steps on the tape; Rodas4 is not an explicit Runge–Kutta method. " +
        "Use an explicit solver (Tsit5, DP5, Vern7, …) with DirectBackprop, or InterpolatingAdjoint() with a stiff solver.",
    );
  });

  test("the default solver (an automatic composite) is refused once it switches to its stiff member, naming where", () => {
    // u′ = k·(cos t − u) with k = 10⁴: stiff after the initial transient; Tsit5 alone would
    // crawl along its stability boundary (and a tape of all those steps grows without bound).
    const relaxing: InPlaceOdeRhs = {
      f: (du, u, p, t) => {
        du[0] = p[0] * (Math.cos(t) - u[0]);
      },
      vjp: (uBar, pBar, l, u, p, t) => {
        uBar[0] = -p[0] * l[0];
        if (pBar !== null) pBar[0] = (Math.cos(t) - u[0]) * l[0];
      },
    };
    const call = () =>
      solveOde(relaxing, tensor([0]), tensor([1e4]), {
        tspan: [0, 2],
        saveat: [2],
        sensealg: DirectBackprop(),
      });
    expect(call).toThrow(SensitivityOptionError);
    expect(call).toThrow(
      /DirectBackprop replays explicit Runge–Kutta steps on the tape, but AutoTsit5\(Rodas5P\(\)\) switched from Tsit5 to Rodas5P at t = [0-9.e-]+ \(the problem is stiff there\)\. Use DiscreteAdjoint\(\)/,
    );
  });

  test("a failed solve reports the steps it took before failing", () => {
    const info: SolveOdeInfo = {};
    solveOde(inPlace, tensor([1, -2]), tensor([0.8]), {
      ...options,
      maxiters: 3,
      sensealg: DirectBackprop(),
      info,
    });
    expect(info.retcode).toBe("MaxIters");
    expect(info.tapeSteps).toBe(3);
    expect(info.forward?.naccept).toBe(3);
  });
});

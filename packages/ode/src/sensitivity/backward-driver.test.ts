// The backward driver (backward-driver.ts) called directly, with a hand-made AdjointContext:
// the continuous adjoints reach it only through whole gradient solves, whose accuracy does
// not show where the driver's bookkeeping goes wrong. Mutation testing (TESTING.md) left alive:
// the length of the forward step a backward step enters (its direction, its ends, its sort of
// a backward-in-time solve's steps), when forward pieces are re-solved, the tstops of a stiff
// sweep, the exact Jacobian and time derivative handed to the solver, pieces without
// release(), the failure message, the backward stats and a span with no interval to integrate.
//
// References: the piece lengths are read off the forward steps the test passes in (dyadic
// numbers, so differences are exact); counts are the sweep's own calls; λ(t0) of dλ/dt = λ is
// analytic.
import { describe, expect, test } from "vitest";
import type { ODEIntegrator } from "../integrator.js";
import { Rodas4, Tsit5 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import type { AdjointContext, DenseForward, ForwardPiece } from "./adjoint-context.js";
import { type BackwardSweep, sweepBackward } from "./backward-driver.js";
import { differentiableRhs } from "./differentiable-rhs.js";

const n = 1;
const rhs = differentiableRhs(
  { f: (du) => du.fill(0), vjp: (uBar) => uBar.fill(0) },
  new Float64Array(n),
  new Float64Array(0),
  [0],
  0,
);
/** A forward solution the sweeps below never read by value (they only see pieces change). */
const dense: DenseForward = { at: (_t, out) => out.fill(0) };

interface Setup {
  t0: number;
  saveat: number[];
  forwardSteps: number[];
  cotangent?: number[];
  withDense?: boolean;
  resolve?: AdjointContext["resolve"];
  stepping?: Partial<AdjointContext["stepping"]>;
}

function context({
  t0,
  saveat,
  forwardSteps,
  cotangent,
  withDense = true,
  resolve,
  stepping,
}: Setup): AdjointContext {
  return {
    rhs,
    p: new Float64Array(0),
    u0: new Float64Array(n),
    t0,
    saveat: Float64Array.from(saveat),
    cotangent: Float64Array.from(cotangent ?? saveat.map(() => 1)),
    saved: new Float64Array(saveat.length * n),
    dense: withDense ? dense : undefined,
    forwardSteps: Float64Array.from(forwardSteps),
    resolve:
      resolve ??
      (() => {
        throw new Error("this test's forward solution is not re-solved");
      }),
    solver: Tsit5(),
    stepping: { reltol: 1e-10, abstol: 1e-12, ...stepping },
    u0Bar: new Float64Array(n),
    pBar: new Float64Array(0),
    stats: { nf: 0, njac: 0, nlu: 0, naccept: 0, nreject: 0 },
  };
}

/** A sweep of dλ/dt = λ that records what the driver hands it. */
function recordingSweep(solver: OdeSolver = Tsit5()) {
  const seen = {
    rhsCalls: 0,
    steps: 0,
    stepEnds: [] as number[],
    pieceLengths: [] as ((t: number) => number)[],
    intervals: [] as number[],
  };
  const sweep: BackwardSweep = {
    state: new Float64Array(n),
    rhs: (dl, l) => {
      seen.rhsCalls++;
      dl[0] = l[0];
    },
    solver,
    setForward: (_forward, pieceLength) => {
      seen.pieceLengths.push(pieceLength);
    },
    afterStep: (integ: ODEIntegrator) => {
      seen.steps++;
      seen.stepEnds.push(integ.t);
    },
    afterInterval: (k) => {
      seen.intervals.push(k);
    },
    method: "TestSweep",
  };
  return { sweep, seen };
}

describe("the forward step a backward step enters (pieceLength)", () => {
  test("forward solve up in time (t0 = −2 < t_last): a backward step from t enters (b[i], b[i+1]] ∋ t", () => {
    // Forward steps end at −1.875, −1.5, −1.25, −0.5: pieces of 0.125, 0.375, 0.25, 0.75.
    const ctx = context({ t0: -2, saveat: [-0.5], forwardSteps: [-1.875, -1.5, -1.25, -0.5] });
    const { sweep, seen } = recordingSweep();
    expect(sweepBackward(ctx, false, sweep).retcode).toBe("Success");
    expect(seen.pieceLengths).toHaveLength(1);
    const length = seen.pieceLengths[0];
    const expected: [number, number][] = [
      [-0.5, 0.75], // at the end of the span: the last forward step
      [-1, 0.75],
      [-1.25, 0.25], // on a boundary, going down: the step below it
      [-1.4, 0.25],
      [-1.5, 0.375],
      [-1.875, 0.125],
      [-1.9, 0.125],
      [-2, Infinity], // at t0 a backward step enters no forward step
      [-2.5, Infinity],
      [-0.25, Infinity],
    ];
    for (const [t, want] of expected) expect([t, length(t)]).toEqual([t, want]);
  });

  test("forward solve down in time (t0 = −0.5 > t_last): forward steps come in descending order", () => {
    // Forward steps end at −1.25, −1.5, −1.875, −2 (the solve runs down from −0.5); the backward
    // pass runs up, so a backward step from t enters [b[i], b[i+1]) ∋ t.
    const ctx = context({ t0: -0.5, saveat: [-2], forwardSteps: [-1.25, -1.5, -1.875, -2] });
    const { sweep, seen } = recordingSweep();
    expect(sweepBackward(ctx, false, sweep).retcode).toBe("Success");
    const length = seen.pieceLengths[0];
    const expected: [number, number][] = [
      [-2, 0.125], // at the end of the span (the backward start)
      [-1.9, 0.125],
      [-1.875, 0.375], // on a boundary, going up: the step above it
      [-1.5, 0.25],
      [-1.25, 0.75],
      [-1, 0.75],
      [-0.5, Infinity], // at t0
      [-0.25, Infinity],
      [-2.25, Infinity],
    ];
    for (const [t, want] of expected) expect([t, length(t)]).toEqual([t, want]);
  });
});

describe("sweepBackward", () => {
  test("λ(t0) of dλ/dt = λ with a jump at each save point, and the backward stats", () => {
    // λ(t0) = Σₖ gₖ·e^(t0 − tₖ); Tsit5 at reltol 1e-10 is accurate to ~1e-9 relative here
    // (bound 1e-8). The stats are the sweep's own right-hand-side calls and accepted steps,
    // less the one call each integrator makes when it is built (checkRhs, not counted in nf).
    const ctx = context({
      t0: 0,
      saveat: [0.5, 1, 2],
      forwardSteps: [0.25, 0.5, 1, 1.5, 2],
      cotangent: [1, -2, 3],
    });
    const { sweep, seen } = recordingSweep();
    expect(sweepBackward(ctx, false, sweep)).toEqual({ retcode: "Success", message: "" });
    const exact = Math.exp(-0.5) - 2 * Math.exp(-1) + 3 * Math.exp(-2);
    expect(Math.abs(sweep.state[0] - exact)).toBeLessThan(1e-8 * Math.abs(exact));
    expect(seen.intervals).toEqual([2, 1, 0]);
    expect(ctx.stats.nf).toBe(seen.rhsCalls - 1);
    expect(ctx.stats.naccept).toBe(seen.steps);
    expect(seen.steps).toBeGreaterThan(0);
  });

  test("a span with no interval to integrate (the only save point at t0) returns λ = the cotangent", () => {
    const ctx = context({ t0: 0, saveat: [0], forwardSteps: [], cotangent: [2.5] });
    const { sweep, seen } = recordingSweep();
    expect(sweepBackward(ctx, false, sweep).retcode).toBe("Success");
    expect(sweep.state[0]).toBe(2.5);
    expect(seen.rhsCalls).toBe(0);
    expect(ctx.stats.nf).toBe(0);
  });

  describe("re-solving forward pieces", () => {
    /** A resolve that counts its calls; its pieces have release() only when asked. */
    function counting(withRelease: boolean) {
      const calls = { resolve: 0, release: 0 };
      const resolve = (tA: number, _uA: Float64Array, tB: number): ForwardPiece => {
        calls.resolve++;
        const piece: ForwardPiece = { dense, steps: Float64Array.of((tA + tB) / 2, tB) };
        if (withRelease) piece.release = () => calls.release++;
        return piece;
      };
      return { calls, resolve };
    }

    test("with checkpointing, one piece per interval is re-solved even though a dense output exists", () => {
      const { calls, resolve } = counting(true);
      const ctx = context({ t0: 0, saveat: [0.5, 1], forwardSteps: [0.5, 1], resolve });
      const { sweep, seen } = recordingSweep();
      expect(sweepBackward(ctx, true, sweep).retcode).toBe("Success");
      expect(calls).toEqual({ resolve: 2, release: 2 });
      expect(seen.pieceLengths).toHaveLength(2);
      // The stats of both pieces' integrators add up (each built with one uncounted checkRhs call).
      expect(ctx.stats.nf).toBe(seen.rhsCalls - 2);
      expect(ctx.stats.naccept).toBe(seen.steps);
    });

    test("without a dense output, pieces are re-solved without checkpointing too", () => {
      const { calls, resolve } = counting(true);
      const ctx = context({ t0: 0, saveat: [0.5, 1], forwardSteps: [0.5, 1], resolve, withDense: false });
      const { sweep } = recordingSweep();
      expect(sweepBackward(ctx, false, sweep).retcode).toBe("Success");
      expect(calls.resolve).toBe(2);
    });

    test("pieces without release() (it is optional)", () => {
      const { calls, resolve } = counting(false);
      const ctx = context({ t0: 0, saveat: [0.5, 1], forwardSteps: [0.5, 1], resolve });
      const { sweep } = recordingSweep();
      expect(sweepBackward(ctx, true, sweep).retcode).toBe("Success");
      expect(calls).toEqual({ resolve: 2, release: 0 });
    });
  });

  test("stopAtForwardSteps: every forward boundary inside the span ends a backward step, and only then", () => {
    // dλ/dt = λ at a loose tolerance takes long steps (bounded by twice the forward step they
    // start in); forward boundaries at irregular dyadic points are hit only when they are tstops.
    const forwardSteps = [0.0625, 0.1875, 0.25, 0.4375, 0.5, 0.6875, 0.8125, 1];
    const stepping = { reltol: 1e-3, abstol: 1e-6 };
    const inside = forwardSteps.slice(0, -1);
    const stopping = recordingSweep();
    stopping.sweep.stopAtForwardSteps = true;
    sweepBackward(context({ t0: 0, saveat: [1], forwardSteps, stepping }), false, stopping.sweep);
    for (const b of inside) expect(stopping.seen.stepEnds).toContain(b);
    const free = recordingSweep();
    sweepBackward(context({ t0: 0, saveat: [1], forwardSteps, stepping }), false, free.sweep);
    const hit = inside.filter((b) => free.seen.stepEnds.includes(b));
    expect(hit.length).toBeLessThan(inside.length);
  });

  test("a stiff sweep's solver gets the sweep's exact Jacobian and time derivative", () => {
    const used = { jac: 0, tgrad: 0 };
    const { sweep } = recordingSweep(Rodas4());
    sweep.jac = (J) => {
      used.jac++;
      J[0] = 1;
    };
    sweep.tgrad = (T) => {
      used.tgrad++;
      T[0] = 0;
    };
    const ctx = context({
      t0: 0,
      saveat: [1],
      forwardSteps: [0.5, 1],
      stepping: { reltol: 1e-6, abstol: 1e-9 },
    });
    expect(sweepBackward(ctx, false, sweep).retcode).toBe("Success");
    expect(used.jac).toBeGreaterThan(0);
    expect(used.tgrad).toBeGreaterThan(0);
    expect(ctx.stats.njac).toBe(used.jac);
    // λ(0) = e^(−1) (Rodas4 at reltol 1e-6: bound 1e-5 relative).
    expect(Math.abs(sweep.state[0] - Math.exp(-1))).toBeLessThan(1e-5 * Math.exp(-1));
  });

  test("a failed interval ends the pass with its retcode, the time reached and the interval in the message", () => {
    const ctx = context({
      t0: 0,
      saveat: [0.5, 1],
      forwardSteps: [0.5, 1],
      stepping: { maxiters: 1, reltol: 1e-12 },
    });
    const { sweep, seen } = recordingSweep();
    const result = sweepBackward(ctx, false, sweep);
    expect(result.retcode).toBe("MaxIters");
    expect(result.message).toMatch(/^TestSweep backward pass, interval \[0\.5, 1\]: \S/);
    expect(result.t).toBeLessThan(1);
    expect(result.t).toBeGreaterThan(0.5);
    expect(seen.intervals).toEqual([]);
  });
});

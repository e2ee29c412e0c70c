/**
 * More non-stiff problems with independent references, for the Tsit5 vs DP5 comparison across
 * problems (ode suite): each exact solution is analytic or known from the problem's period.
 *
 * - Kepler orbit, eccentricity 0.6, one period 2π from pericentre: the exact state from Kepler's
 *   equation E − e·sin E = t (solved by Newton to rounding), as in DETEST class D
 *   (Hull, Enright, Fellen & Sedgwick, SIAM J. Numer. Anal. 9 (1972) 603–637).
 * - Arenstorf orbit (restricted three-body problem, μ = 0.012277471): periodic with period
 *   T = 17.0652165601579625588917206249, so u(T) = u0 (Hairer–Nørsett–Wanner I, §II.0, (0.1)).
 * - DETEST A2: y' = −y³/2, y(0) = 1, y(t) = 1/√(1 + t) on [0, 20].
 */
import { ODEProblem } from "@udekit/ode";
import { detestA2Problem } from "@udekit/ode/conformance";

export interface ReferenceProblem {
  name: string;
  problem: ODEProblem;
  /** Times at which the reference is known, and the states there. */
  times: number[];
  states: number[][];
}

const grid = (t0: number, t1: number, k: number): number[] =>
  Array.from({ length: k + 1 }, (_, i) => t0 + ((t1 - t0) * i) / k);

export function keplerProblem(e = 0.6): ReferenceProblem {
  const exact = (t: number): number[] => {
    let E = t;
    for (let i = 0; i < 60; i++) E -= (E - e * Math.sin(E) - t) / (1 - e * Math.cos(E));
    const w = Math.sqrt(1 - e * e);
    const dE = 1 / (1 - e * Math.cos(E));
    return [Math.cos(E) - e, w * Math.sin(E), -Math.sin(E) * dE, w * Math.cos(E) * dE];
  };
  const times = grid(0, 2 * Math.PI, 10);
  return {
    name: `Kepler orbit (e = ${e})`,
    problem: new ODEProblem(
      (du: Float64Array, u: Float64Array) => {
        const r2 = u[0] * u[0] + u[1] * u[1];
        const r3 = r2 * Math.sqrt(r2);
        du[0] = u[2];
        du[1] = u[3];
        du[2] = -u[0] / r3;
        du[3] = -u[1] / r3;
      },
      exact(0),
      [0, 2 * Math.PI],
    ),
    times,
    states: times.map(exact),
  };
}

export function arenstorfProblem(): ReferenceProblem {
  const mu = 0.012277471;
  const nu = 1 - mu;
  // T = 17.0652165601579625588917206249 and v0 = −2.00158510637908252240537862224 (HNW I),
  // rounded to the nearest doubles.
  const T = 17.065216560157964;
  const u0 = [0.994, 0, 0, -2.0015851063790824];
  return {
    name: "Arenstorf orbit",
    problem: new ODEProblem(
      (du: Float64Array, u: Float64Array) => {
        const d1 = ((u[0] + mu) ** 2 + u[1] ** 2) ** 1.5;
        const d2 = ((u[0] - nu) ** 2 + u[1] ** 2) ** 1.5;
        du[0] = u[2];
        du[1] = u[3];
        du[2] = u[0] + 2 * u[3] - (nu * (u[0] + mu)) / d1 - (mu * (u[0] - nu)) / d2;
        du[3] = u[1] - 2 * u[2] - (nu * u[1]) / d1 - (mu * u[1]) / d2;
      },
      u0,
      [0, T],
    ),
    times: [0, T],
    states: [u0, u0],
  };
}

/** DETEST A2 as the conformance suite defines it, with its closed form at 11 times. */
export function detestA2(): ReferenceProblem {
  const a2 = detestA2Problem();
  const times = grid(0, 20, 10);
  return {
    name: "DETEST A2 (y' = −y³/2)",
    problem: a2.problem,
    times,
    states: times.map((t) => Array.from(a2.exact(t, new Float64Array(1)))),
  };
}

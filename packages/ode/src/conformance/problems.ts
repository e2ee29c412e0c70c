/**
 * Test problems with known solutions for the conformance suite. Each is small, smooth and
 * non-stiff, with an analytic Jacobian so that Rosenbrock methods are tested without
 * finite-difference noise.
 */
import { ODEProblem } from "../problem.js";

export interface AnalyticProblem {
  name: string;
  problem: ODEProblem;
  /** Exact solution at t, written into out. */
  exact(t: number, out: Float64Array): Float64Array;
}

/**
 * u' = k·cos(kt)·u, u(t0) = exp(sin(k·t0)): u(t) = exp(sin(kt)). Non-autonomous. The default
 * k = 5 on [0, 5] keeps even Vern7's errors above rounding while its steps are small enough
 * for the asymptotic regime (k = 1 on [0, 2] for the cheaper checks).
 */
export function expSinProblem(tspan: readonly [number, number] = [0, 2], k = 1): AnalyticProblem {
  const u0 = Math.exp(Math.sin(k * tspan[0]));
  return {
    name: `u' = ${k === 1 ? "" : `${k}·`}cos(${k === 1 ? "" : k}t)·u`,
    problem: new ODEProblem(
      (du: Float64Array, u: Float64Array, _p: Float64Array, t: number) => {
        du[0] = k * Math.cos(k * t) * u[0];
      },
      [u0],
      tspan,
      [],
      {
        jac: (J, _u, _p, t) => {
          J[0] = k * Math.cos(k * t);
        },
        tgrad: (dT, u, _p, t) => {
          dT[0] = -k * k * Math.sin(k * t) * u[0];
        },
      },
    ),
    exact: (t, out) => {
      out[0] = Math.exp(Math.sin(k * t));
      return out;
    },
  };
}

/**
 * DETEST problem A2 (Hull, Enright, Fellen & Sedgwick, "Comparing numerical methods for
 * ordinary differential equations", SIAM J. Numer. Anal. 9 (1972) 603–637): y' = −y³/2,
 * y(0) = 1 on [0, 20], y(t) = 1/√(1 + t). Its derivatives are governed by the singularity at
 * t = −1, so each order's error term dominates the next one from large steps on; this is what
 * lets a 9th-order method show its slope above double rounding.
 */
export function detestA2Problem(): AnalyticProblem {
  return {
    name: "DETEST A2: y' = −y³/2",
    problem: new ODEProblem(
      (du: Float64Array, u: Float64Array) => {
        du[0] = -0.5 * u[0] * u[0] * u[0];
      },
      [1],
      [0, 20],
      [],
      {
        kind: "inplace",
        jac: (J, u) => {
          J[0] = -1.5 * u[0] * u[0];
        },
        tgrad: (dT) => {
          dT[0] = 0;
        },
      },
    ),
    exact: (t, out) => {
      out[0] = 1 / Math.sqrt(1 + t);
      return out;
    },
  };
}

/**
 * Logistic growth u' = r·u(1 − u), u(0) = 0.01 on [0, 2]: u(t) = 1/(1 + 99e^(−rt)).
 * Nonlinear and autonomous; r = 4 makes the transition sharp enough for asymptotic fits.
 */
export function logisticProblem(r = 4): AnalyticProblem {
  return {
    name: `u' = ${r}u(1 − u)`,
    problem: new ODEProblem(
      (du: Float64Array, u: Float64Array) => {
        du[0] = r * u[0] * (1 - u[0]);
      },
      [0.01],
      [0, 2],
      [],
      {
        kind: "inplace",
        jac: (J, u) => {
          J[0] = r * (1 - 2 * u[0]);
        },
        tgrad: (dT) => {
          dT[0] = 0;
        },
      },
    ),
    exact: (t, out) => {
      out[0] = 1 / (1 + 99 * Math.exp(-r * t));
      return out;
    },
  };
}

/**
 * Damped rotation u' = [[−0.1, 1], [−1, −0.1]]·u, u(0) = (1, 0) on [0, 5]:
 * u(t) = e^(−0.1t)(cos t, −sin t). Linear, oscillatory; used for reversibility.
 */
export function rotationProblem(tspan: readonly [number, number] = [0, 5]): AnalyticProblem {
  const exact = (t: number, out: Float64Array) => {
    const e = Math.exp(-0.1 * t);
    out[0] = e * Math.cos(t);
    out[1] = -e * Math.sin(t);
    return out;
  };
  const u0 = exact(tspan[0], new Float64Array(2));
  return {
    name: "damped rotation",
    problem: new ODEProblem(
      (du: Float64Array, u: Float64Array, _p: Float64Array, _t: number) => {
        du[0] = -0.1 * u[0] + u[1];
        du[1] = -u[0] - 0.1 * u[1];
      },
      u0,
      tspan,
      [],
      {
        tgrad: (dT) => dT.fill(0),
        jac: (J) => {
          J[0] = -0.1;
          J[1] = 1;
          J[2] = -1;
          J[3] = -0.1;
        },
      },
    ),
    exact,
  };
}

/**
 * Nonlinear rotation u₁' = −r²u₂, u₂' = r²u₁ with r² = u₁² + u₂² (conserved), u(0) = (a, 0):
 * u(t) = a(cos(a²t), sin(a²t)). Nonlinear, autonomous, two components; a = 1.5 on [0, 3].
 */
export function nonlinearRotationProblem(a = 1.5, T = 3): AnalyticProblem {
  const w = a * a;
  return {
    name: "u' = |u|²·Ju",
    problem: new ODEProblem(
      (du: Float64Array, u: Float64Array, _p: Float64Array, _t: number) => {
        const r2 = u[0] * u[0] + u[1] * u[1];
        du[0] = -r2 * u[1];
        du[1] = r2 * u[0];
      },
      [a, 0],
      [0, T],
      [],
      {
        jac: (J, u) => {
          const r2 = u[0] * u[0] + u[1] * u[1];
          J[0] = -2 * u[0] * u[1];
          J[1] = -r2 - 2 * u[1] * u[1];
          J[2] = r2 + 2 * u[0] * u[0];
          J[3] = 2 * u[0] * u[1];
        },
        tgrad: (dT) => dT.fill(0),
      },
    ),
    exact: (t, out) => {
      out[0] = a * Math.cos(w * t);
      out[1] = a * Math.sin(w * t);
      return out;
    },
  };
}

/**
 * u' = −2k²t·u², u(0) = 1 on [0, T]: u(t) = 1/(1 + k²t²). Nonlinear and non-autonomous;
 * k = 3 on [0, 3] by default.
 */
export function rationalProblem(k = 3, T = 3): AnalyticProblem {
  const k2 = k * k;
  return {
    name: `u' = −2·${k2}t·u²`,
    problem: new ODEProblem(
      (du: Float64Array, u: Float64Array, _p: Float64Array, t: number) => {
        du[0] = -2 * k2 * t * u[0] * u[0];
      },
      [1],
      [0, T],
      [],
      {
        jac: (J, u, _p, t) => {
          J[0] = -4 * k2 * t * u[0];
        },
        tgrad: (dT, u) => {
          dT[0] = -2 * k2 * u[0] * u[0];
        },
      },
    ),
    exact: (t, out) => {
      out[0] = 1 / (1 + k2 * t * t);
      return out;
    },
  };
}

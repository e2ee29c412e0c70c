/**
 * The reference problems of test/fixtures (written by scripts/gen-reference.py) as
 * ODEProblems, shared by the reference tests and the benchmark suite.
 */
import { readFileSync } from "node:fs";
import { allocF64, matvec } from "@udekit/kernels";
import { ODEProblem } from "../src/problem.js";

export interface Fixture {
  problem: string;
  // biome-ignore lint/suspicious/noExplicitAny: per-problem parameter records
  params?: any;
  u0: number[];
  tspan: [number, number];
  times: number[];
  states: number[][];
  method: string;
  rtol: number;
  P?: number[][];
}

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")) as Fixture;
}

export function lotkaVolterra(fx = loadFixture("lotka-volterra")): ODEProblem {
  const { a, b, c, d } = fx.params;
  return new ODEProblem(
    (du: Float64Array, u: Float64Array) => {
      du[0] = a * u[0] - b * u[0] * u[1];
      du[1] = -c * u[1] + d * u[0] * u[1];
    },
    fx.u0,
    fx.tspan,
    [],
    { kind: "inplace", name: "Lotka–Volterra" },
  );
}

export function vanDerPol(mu: number, withJac: boolean): ODEProblem {
  const fx = loadFixture(mu === 1 ? "van-der-pol-mu1" : "van-der-pol-mu1000");
  return new ODEProblem(
    (du: Float64Array, u: Float64Array) => {
      du[0] = u[1];
      du[1] = mu * (1 - u[0] * u[0]) * u[1] - u[0];
    },
    fx.u0,
    fx.tspan,
    [],
    {
      kind: "inplace",
      name: `Van der Pol μ = ${mu}`,
      jac: withJac
        ? (J, u) => {
            J[0] = 0;
            J[1] = 1;
            J[2] = -2 * mu * u[0] * u[1] - 1;
            J[3] = mu * (1 - u[0] * u[0]);
          }
        : undefined,
      tgrad: withJac ? (dT) => dT.fill(0) : undefined,
    },
  );
}

export function robertson(withJac: boolean): ODEProblem {
  const fx = loadFixture("robertson");
  const { k1, k2, k3 } = fx.params;
  return new ODEProblem(
    (du: Float64Array, u: Float64Array) => {
      du[0] = -k1 * u[0] + k3 * u[1] * u[2];
      du[1] = k1 * u[0] - k3 * u[1] * u[2] - k2 * u[1] * u[1];
      du[2] = k2 * u[1] * u[1];
    },
    fx.u0,
    fx.tspan,
    [],
    {
      kind: "inplace",
      name: "Robertson",
      jac: withJac
        ? (J, u) => {
            J.set([
              -k1,
              k3 * u[2],
              k3 * u[1],
              k1,
              -k3 * u[2] - 2 * k2 * u[1],
              -k3 * u[1],
              0,
              2 * k2 * u[1],
              0,
            ]);
          }
        : undefined,
    },
  );
}

export function brusselator(): ODEProblem {
  const fx = loadFixture("brusselator");
  const { A, B } = fx.params;
  return new ODEProblem(
    (du: Float64Array, u: Float64Array) => {
      du[0] = A + u[0] * u[0] * u[1] - (B + 1) * u[0];
      du[1] = B * u[0] - u[0] * u[0] * u[1];
    },
    fx.u0,
    fx.tspan,
    [],
    { kind: "inplace", name: "Brusselator" },
  );
}

/** du/dt = A(P)·u with A(P) = P − diag(P·1), as one matvec with the row sums folded in. */
export function seedLinear(n: 100 | 10): { problem: ODEProblem; fixture: Fixture; A: Float64Array } {
  const fx = loadFixture(`seed-linear-n${n}`);
  const P = fx.P as number[][];
  // In the kernels' WebAssembly arena, so that matvec reads A in place (an ordinary array is copied per call).
  const A = allocF64(n * n);
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let j = 0; j < n; j++) {
      A[i * n + j] = P[i][j];
      rowSum += P[i][j];
    }
    A[i * n + i] -= rowSum;
  }
  const problem = new ODEProblem(
    (du: Float64Array, u: Float64Array) => {
      matvec(n, n, A, u, du, false);
    },
    fx.u0,
    fx.tspan,
    [],
    {
      kind: "inplace",
      name: `seed linear n = ${n}`,
      jac: (J) => J.set(A),
      tgrad: (dT) => dT.fill(0),
    },
  );
  return { problem, fixture: fx, A };
}

/** Max over fixture times and components of |u − ref| / (atolScale + |ref|) (mixed relative error). */
export function maxMixedError(states: (i: number) => Float64Array, fx: Fixture, floor: number): number {
  let m = 0;
  fx.times.forEach((_, i) => {
    const u = states(i);
    fx.states[i].forEach((r, k) => {
      m = Math.max(m, Math.abs(u[k] - r) / (floor + Math.abs(r)));
    });
  });
  return m;
}

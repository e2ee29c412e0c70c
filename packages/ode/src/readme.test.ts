// Runs the README's examples: the code between the markers below appears verbatim in README.md
// (imports there come from "@udekit/ode"; here from the source entry).
import { readFileSync } from "node:fs";
import { concat, mul, scale, slice, square, sub, type Tensor } from "@udekit/autodiff";
import { expect, test } from "vitest";
import { runConformance } from "./conformance/index.js";
import { init, ODEProblem, Rodas4, solve, Tsit5 } from "./index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const self = readFileSync(new URL("./readme.test.ts", import.meta.url), "utf8");

function block(name: string): string {
  const start = self.indexOf(`// --- ${name} start ---\n`);
  const end = self.indexOf(`  // --- ${name} end ---`);
  const lines = self.slice(start, end).split("\n").slice(1, -1);
  return lines.map((l) => l.replace(/^ {2}/, "")).join("\n");
}

test.each(["quick start", "stiff", "tensor", "integrator", "conformance"])(
  "README contains the %s example",
  (name) => {
    expect(readme).toContain(block(name));
  },
);

test("quick start", () => {
  const log: unknown[][] = [];
  const console = { log: (...a: unknown[]) => log.push(a) };
  // --- quick start start ---
  // Lotka–Volterra: x' = 1.5x − xy, y' = xy − 3y.
  const lv = new ODEProblem(
    (du: Float64Array, u: Float64Array, p: Float64Array, _t: number) => {
      du[0] = p[0] * u[0] - p[1] * u[0] * u[1];
      du[1] = -p[2] * u[1] + p[3] * u[0] * u[1];
    },
    [1, 1], // u0
    [0, 10], // tspan
    [1.5, 1, 3, 1], // p
  );
  const sol = solve(lv, Tsit5(), { reltol: 1e-8, abstol: 1e-8 });
  console.log(sol.retcode, sol.t.length, sol.stats.nf); // "Success" 254 1520
  console.log(sol.state(sol.t.length - 1)); // u(10) ≈ [1.02634, 0.90969]
  console.log(sol.at(2.5)); // dense output anywhere in [0, 10] (Tsit5's own interpolant)
  const grid = solve(lv, Tsit5(), { reltol: 1e-8, abstol: 1e-8, saveat: 0.5 }); // t = 0, 0.5, …, 10
  console.log(grid.t.length); // 21
  // --- quick start end ---
  // What the README shows in the comment of that line, parsed from README.md itself.
  const shown = /sol\.stats\.nf\); \/\/ "(\w+)" (\d+) (\d+)\n/.exec(readme);
  expect(shown).not.toBeNull();
  const [, retcode, points, nf] = shown as RegExpExecArray;
  expect(log[0]).toEqual([retcode, Number(points), Number(nf)]);
  const uEnd = log[1][0] as Float64Array;
  // scipy DOP853 at rtol 1e-13 gives u(10) = (1.0263447…, 0.9096910…) (test/fixtures/lotka-volterra.json);
  // 1e-6 is 100× the tolerance.
  expect(Math.abs(uEnd[0] - 1.0263447675750925)).toBeLessThan(1e-6);
  expect(Math.abs(uEnd[1] - 0.9096910781361154)).toBeLessThan(1e-6);
  expect(log[3][0]).toBe(21);
});

test("stiff", () => {
  const log: unknown[][] = [];
  const console = { log: (...a: unknown[]) => log.push(a) };
  // --- stiff start ---
  // Van der Pol with μ = 1000 is stiff: use a Rosenbrock method. The Jacobian is optional
  // (finite differences otherwise); J is row-major: J[i·n + j] = ∂fᵢ/∂uⱼ.
  const mu = 1000;
  const vdp = new ODEProblem(
    (du: Float64Array, u: Float64Array, _p: Float64Array, _t: number) => {
      du[0] = u[1];
      du[1] = mu * (1 - u[0] * u[0]) * u[1] - u[0];
    },
    [2, 0],
    [0, 3000],
    [],
    {
      jac: (J, u) => {
        J[0] = 0;
        J[1] = 1;
        J[2] = -2 * mu * u[0] * u[1] - 1;
        J[3] = mu * (1 - u[0] * u[0]);
      },
    },
  );
  const stiff = solve(vdp, Rodas4(), { reltol: 1e-6, abstol: 1e-6 });
  console.log(stiff.retcode, stiff.stats); // "Success" { nf, njac, nlu, naccept, nreject }
  // --- stiff end ---
  expect(log[0][0]).toBe("Success");
});

test("tensor", () => {
  const log: unknown[][] = [];
  const console = { log: (...a: unknown[]) => log.push(a) };
  // --- tensor start ---
  // The same system as a tensor function of (u, p, t): compiled once into an allocation-free
  // tape; Rodas4 gets its Jacobian from the tape (n vector–Jacobian products), not differences.
  const vdpTensor = new ODEProblem(
    (u: Tensor, _p: Tensor, _t: Tensor) => {
      const x = slice(u, 0, 1);
      const y = slice(u, 1, 2);
      return concat([y, sub(sub(scale(y, 1000), scale(mul(square(x), y), 1000)), x)]);
    },
    [2, 0],
    [0, 3000],
  );
  console.log(solve(vdpTensor, Rodas4(), { reltol: 1e-6, abstol: 1e-6 }).retcode); // "Success"
  // --- tensor end ---
  expect(log[0][0]).toBe("Success");
});

test("integrator", () => {
  const log: unknown[][] = [];
  const console = { log: (...a: unknown[]) => log.push(a) };
  const lv = new ODEProblem(
    (du: Float64Array, u: Float64Array, p: Float64Array, _t: number) => {
      du[0] = p[0] * u[0] - p[1] * u[0] * u[1];
      du[1] = -p[2] * u[1] + p[3] * u[0] * u[1];
    },
    [1, 1],
    [0, 10],
    [1.5, 1, 3, 1],
  );
  // --- integrator start ---
  // Step by hand: the object `solve` drives (and the adjoint sensitivities reuse).
  const integ = init(lv, Tsit5(), { reltol: 1e-8, abstol: 1e-8 });
  const mid = new Float64Array(2);
  while (integ.step()) {
    integ.interpolate((integ.tPrev + integ.t) / 2, mid); // dense output inside the last step
  }
  console.log(integ.retcode, integ.t); // "Success" 10
  // Restart from a new state (e.g. after a jump), integrating backward from t = 10 to 0:
  integ.reinit(integ.u, 10, 0);
  while (integ.step()) {}
  console.log(integ.u); // ≈ [1, 1]
  integ.dispose(); // hand the buffers back now (otherwise when it is garbage-collected)
  // --- integrator end ---
  expect(log[0]).toEqual(["Success", 10]);
  const back = log[1][0] as Float64Array;
  // Forward then backward at 1e-8: the round trip returns to u0 within ~1e-6.
  expect(Math.abs(back[0] - 1) + Math.abs(back[1] - 1)).toBeLessThan(1e-5);
});

test("conformance", () => {
  const log: unknown[][] = [];
  const console = { log: (...a: unknown[]) => log.push(a) };
  // --- conformance start ---
  const report = runConformance(Tsit5());
  console.log(report.ok); // true
  // --- conformance end ---
  expect(log[0][0]).toBe(true);
});

// diagnosticPlots when a forward solve fails at the given parameters (a run stopped by a non-finite
// loss still writes its results): the pictures that need the failed solve are left out with a
// note, the others are drawn, and nothing is thrown.
import { Tsit5 } from "@udekit/ode";
import { expect, test } from "vitest";
import { diagnosticPlots } from "./diagnostic-plots.js";
import type { Problem } from "./gradients.js";
import { makeParams } from "./model.js";

// P = −5 off the diagonal of 4 nodes: A(P) = P + 15·I has the eigenvalue 20 (on vectors orthogonal
// to 1), so u grows like e^(20 t) and overflows double precision near t = 709/20 ≈ 35.5.
const n = 4;
const P = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : -5)));
const params = makeParams("linear", P, [], "identity");
const values = Array.from({ length: n }, (_, i) => [0.1 * (i + 1), 0.2, 0.3, 0.4]);
const solve = { solver: Tsit5(), reltol: 1e-6, abstol: 1e-8 };

test("the solve at the observation times fails: no pictures, one note", async () => {
  const problem: Problem = { obs: { times: [0, 1, 2, 60], values }, params, solve };
  const notes: string[] = [];
  const plots = await diagnosticPlots(problem, params.vector, { note: (m) => notes.push(m) });
  expect(plots).toEqual([]);
  expect(notes).toHaveLength(1);
  expect(notes[0]).toMatch(
    /^note: no diagnostic plots \(parity, residuals, nodes, net-term\): the ODE solve for the observation times failed \(Unstable: /,
  );
  expect(notes[0]).not.toMatch(/Fix:/);
});

test("only the dense solve (to --until) fails: parity, residuals and nodes are drawn, with a note", async () => {
  const problem: Problem = { obs: { times: [0, 0.5, 1, 2], values }, params, solve };
  const notes: string[] = [];
  const plots = await diagnosticPlots(problem, params.vector, { until: 100, note: (m) => notes.push(m) });
  expect(plots.map((p) => p.file)).toEqual(["parity.svg", "residuals.svg", "nodes.svg"]);
  expect(notes).toHaveLength(1);
  expect(notes[0]).toMatch(
    /^note: no dense trajectories in nodes\.svg and no net-term\.svg: the ODE solve for the dense trajectories failed/,
  );
});

// Runs the README's sensitivity example: the code between the markers appears verbatim in
// README.md (imports there come from the packages; here from the source entries).
import { readFileSync } from "node:fs";
import {
  add,
  concat,
  mul,
  slice,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
} from "@udekit/autodiff";
import { expect, test } from "vitest";
import { InterpolatingAdjoint, type SolveOdeInfo, solveOde, Tsit5 } from "../index.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const self = readFileSync(new URL("./readme.test.ts", import.meta.url), "utf8");

test("README contains the fitting example", () => {
  // The end marker is searched after the start marker: this test's own string literals name
  // both markers, and an indexOf from the top finds them first (the block was then empty and
  // the README check compared two empty strings).
  const start = self.indexOf("  // --- fit start ---\n", self.indexOf('test("fitting'));
  const end = self.indexOf("  // --- fit end ---", start);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const code = self
    .slice(start, end)
    .split("\n")
    .slice(1, -1)
    .map((l) => l.replace(/^ {2}/, ""))
    .join("\n");
  expect(code.split("\n").length).toBeGreaterThan(20);
  expect(readme).toContain(code);
});

test("fitting Lotka–Volterra parameters by gradient descent through the solve", () => {
  const log: string[] = [];
  const console = { log: (...s: unknown[]) => log.push(s.join(" ")) };
  // --- fit start ---
  // Lotka–Volterra as a tensor function: x' = a·x − b·x·y, y' = −c·y + d·x·y.
  const lv = (u: Tensor, p: Tensor, _t: Tensor) => {
    const [x, y] = [slice(u, 0, 1), slice(u, 1, 2)];
    const xy = mul(x, y);
    const dx = sub(mul(slice(p, 0, 1), x), mul(slice(p, 1, 2), xy));
    const dy = add(mul(slice(p, 2, 3), mul(y, -1)), mul(slice(p, 3, 4), xy));
    return concat([dx, dy]);
  };
  const u0 = tensor([1, 1]);
  const options = {
    tspan: [0, 5] as const,
    saveat: [1, 2, 3, 4, 5],
    solver: Tsit5(),
    reltol: 1e-6,
    abstol: 1e-8,
  };
  const data = solveOde(lv, u0, tensor([1.5, 1, 3, 1]), options); // "observations"

  const info: SolveOdeInfo = {}; // filled by every solve and gradient pass: retcodes, steps, counts
  const loss = (p: Tensor) =>
    sum(square(sub(solveOde(lv, u0, p, { ...options, sensealg: InterpolatingAdjoint(), info }), data)));
  let p = tensor([1.3, 0.9, 3.2, 1.1]);
  const first = loss(p).item();
  for (let it = 0; it < 100; it++) {
    const [, g] = valueAndGrad(loss)(p); // ∂loss/∂p by the adjoint: one backward solve
    p = tensor(p.data.map((v, i) => v - 0.002 * g.data[i])); // plain gradient descent
  }
  console.log(`loss ${first.toExponential(2)} → ${loss(p).item().toExponential(2)}`); // loss 5.41e+0 → 4.16e-3
  console.log(info.retcode, info.forward?.naccept, info.backward?.naccept); // "Success" 58 77: the last passes' retcode and steps
  // --- fit end ---
  const [before, after] = (log[0].match(/[\d.]+e[-+]\d+/g) ?? []).map(Number);
  // gradient descent on a well-posed fit must reduce the loss by orders of magnitude
  expect(after).toBeLessThan(before * 1e-2);
  // What the README shows for both lines, parsed from README.md itself.
  const shown = /\/\/ loss (\S+) → (\S+)\n[^\n]*\/\/ "(\w+)" (\d+) (\d+): the last passes/.exec(readme);
  expect(shown).not.toBeNull();
  const [, b, a, retcode, fwd, bwd] = shown as RegExpExecArray;
  expect(log[0]).toBe(`loss ${b} → ${a}`);
  expect(log[1]).toBe(`${retcode} ${fwd} ${bwd}`);
});

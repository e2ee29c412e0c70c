/**
 * The README's example, verbatim: a worker module (model.ts, shown whole in the README) and an
 * ensemble of three decay experiments evaluated on two workers, checked against the analytic
 * gradient of the exponential solution.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { createEnsemblePool } from "../../src/pool-node.js";

// The workers load model.ts from TypeScript source (the README uses tsx; the tests also need the
// "@udekit/source" condition, so the package loads from src without a build).
const execArgv = ["--import", new URL("../source-loader.mjs", import.meta.url).href];

test("README example: three experiments, one shared decay rate, gradient over two workers", async () => {
  // --- README example start ---
  // Three experiments: u(t) = u0·e^(−0.7 t) observed at t = 0, 1, 2 from different u0.
  const decay = (u0: number[]) => ({
    u0,
    saveat: [0, 1, 2],
    data: [0, 1, 2].flatMap((t) => u0.map((x) => x * Math.exp(-0.7 * t))),
  });
  const experiments = [decay([1, 2]), decay([0.5, 3]), decay([4, 1])];

  const pool = createEnsemblePool({
    worker: new URL("./model.ts", import.meta.url), // exports serveEnsemble(model) as default
    experiments,
    paramLength: 1,
    workers: 2,
    execArgv,
  });
  const { loss, grad, losses } = await pool.evaluate([0.5]); // at k = 0.5
  await pool.close(); // stops the worker threads
  console.log(
    `loss ${loss.toExponential(3)}, dloss/dk ${grad[0].toFixed(4)}, per experiment ${losses.join(", ")}`,
  );
  // --- README example end ---

  // Independent reference: u_i(t) = u0_i·e^(−k t), so each residual r = u0·e^(−kt) − d has
  // ∂r/∂k = −t·u0·e^(−kt), and dL/dk = Σ 2·r·∂r/∂k over experiments, times and nodes.
  let refLoss = 0;
  let refGrad = 0;
  for (const e of experiments) {
    for (let k = 0; k < 3; k++) {
      const t = e.saveat[k];
      e.u0.forEach((x, i) => {
        const r = x * Math.exp(-0.5 * t) - e.data[k * 2 + i];
        refLoss += r * r;
        refGrad += 2 * r * (-t * x * Math.exp(-0.5 * t));
      });
    }
  }
  // Tsit5 at reltol 1e-8 / abstol 1e-10 and the adjoint at the same tolerances: states and λ are
  // accurate to ~1e-8 relative, so 1e-6 relative leaves two digits of room; a wrong sign, a lost
  // experiment or a doubled one is off by O(1).
  expect(Math.abs(loss - refLoss) / refLoss).toBeLessThan(1e-6);
  expect(Math.abs(grad[0] - refGrad) / Math.abs(refGrad)).toBeLessThan(1e-6);
  expect(losses).toHaveLength(3);
  expect(losses.reduce((a, b) => a + b, 0)).toBe(loss);
});

test("the README shows exactly the example code above and the whole worker module", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const self = readFileSync(new URL("./readme.test.ts", import.meta.url), "utf8");
  const start = "// --- README example start ---\n";
  const body = self.slice(
    self.indexOf(start) + start.length,
    self.indexOf("  // --- README example end ---"),
  );
  const dedented = body
    .trimEnd()
    .split("\n")
    .map((l) => (l.startsWith("  ") ? l.slice(2) : l))
    .join("\n");
  expect(readme).toContain(dedented);
  expect(readme).toContain(readFileSync(new URL("./model.ts", import.meta.url), "utf8").trimEnd());
});

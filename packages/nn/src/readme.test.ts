/** The README's example, verbatim: fit a small net to data with Adam, then polish with L-BFGS. */

import { readFileSync } from "node:fs";
import { mean, square, sub, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { expect, test } from "vitest";
import { Adam, apply, Chain, Dense, flatten, minimize, rng, setup } from "./index.js";

test("README example: a Dense(1 => 16, tanh) → Dense(16 => 1) net fits sin on [−3, 3]", () => {
  // --- README example start ---
  // Data: 64 samples of y = sin(x), batch-first (one row per sample).
  const xs = Array.from({ length: 64 }, (_, i) => -3 + (6 * i) / 63);
  const x = tensor(xs.map((v) => [v]));
  const y = tensor(xs.map((v) => [Math.sin(v)]));

  // The model is a description; parameters are one flat vector with named views.
  const model = Chain(Dense(1, 16, { activation: "tanh" }), Dense(16, 1));
  const { ps, st } = setup(rng(42), model);
  const { vector: p, unflatten } = flatten(ps); // ps.layer_1.weight is a view into p

  // Loss as a function of the flat parameter tensor: unflatten(p) slices it on the tape.
  const loss = (pt: Tensor) => mean(square(sub(apply(model, x, unflatten(pt), st)[0], y)));
  const lossAndGrad = valueAndGrad(loss);

  // 1) Adam on the flat vector, in place.
  const opt = Adam({ eta: 0.01 });
  const state = opt.init(p);
  for (let step = 0; step < 500; step++) {
    const [, g] = lossAndGrad(tensor(p));
    opt.update(state, p, g.data);
  }
  const afterAdam = loss(tensor(p)).item();

  // 2) L-BFGS from there, with a function-and-gradient callback.
  const result = minimize(
    (v, g) => {
      const [value, grad] = lossAndGrad(tensor(v));
      g.set(grad.data);
      return value.item();
    },
    p,
    { gtol: 1e-6, maxIterations: 300 },
  );
  p.set(result.x); // ps now holds the fitted parameters
  console.log(`loss after Adam ${afterAdam.toExponential(2)}, after L-BFGS ${result.f.toExponential(2)}`);
  // --- README example end ---

  // Starting loss is ~0.3 (mean of sin² ≈ 0.5 minus a poor fit); Adam's 500 steps reach < 1e-2
  // and L-BFGS < 1e-4 on this smooth 1-D regression (observed 2.4e-3 and 2.1e-7).
  expect(afterAdam).toBeLessThan(1e-2);
  expect(result.f).toBeLessThan(1e-4);
  expect(result.f).toBeLessThanOrEqual(afterAdam);
  expect(loss(tensor(flatten(ps).vector)).item()).toBe(result.f);
});

test("the README shows exactly the example code above", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
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
});

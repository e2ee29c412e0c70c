// loss.svg: the legend names only the optimisers that ran, and a short run's iteration axis has
// whole-number ticks only (issue #21: both optimisers were listed, and ticks read 0.5, 1.0, 1.5).
import { expect, test } from "vitest";
import { items, labelNumber, vertices } from "../test/svg.js";
import { fitPlot, HELD_OUT, INITIAL, lossPlot, OBSERVED } from "./plots.js";
import type { IterationRecord } from "./training.js";

/** The labels of the x axis: the text elements of the group vega labels "X-axis …". */
function xTickLabels(svg: string): string[] {
  const axis = svg.slice(svg.indexOf('aria-label="X-axis'), svg.indexOf('aria-label="Y-axis'));
  return [...axis.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).filter((t) => t !== "iteration");
}

const run = (phases: IterationRecord["phase"][]): IterationRecord[] =>
  phases.map((phase, i) => ({ iteration: i + 1, phase, loss: 26 / (i + 1), elapsed_s: 0.1 * i }));

test("Adam only, 3 iterations: legend 'Adam' alone, x ticks 1, 2, 3", async () => {
  const svg = await lossPlot(run(["adam", "adam", "adam"]), "t");
  expect(svg).toMatch(/legend titled 'optimiser' for [^"]* with 1 value: Adam"/);
  expect(svg).not.toMatch(/L-BFGS/);
  expect(xTickLabels(svg)).toEqual(["1", "2", "3"]);
});

test("L-BFGS only: legend 'L-BFGS' alone", async () => {
  const svg = await lossPlot(run(["lbfgs", "lbfgs"]), "t");
  expect(svg).toMatch(/with 1 value: L-BFGS"/);
  expect(svg).not.toMatch(/>Adam</);
  for (const label of xTickLabels(svg)) expect(label).toMatch(/^\d+$/);
});

test("both phases: both in the legend; long runs keep whole-number ticks", async () => {
  const svg = await lossPlot(run([...Array(300).fill("adam"), ...Array(100).fill("lbfgs")]), "t");
  expect(svg).toMatch(/with 2 values: Adam, L-BFGS"/);
  const labels = xTickLabels(svg);
  expect(labels.length).toBeGreaterThan(2);
  for (const label of labels) expect(label).toMatch(/^\d+$/);
});

test("fit.svg draws the initial condition as a condition (open diamond), not as a fitted point", async () => {
  const nodes = [1, 2].map((node) => ({
    node,
    observed: [1, 2, 3, 4].map((t) => ({ t, u: node * t })),
    after: [1, 2, 3, 4].map((t) => ({ t, u: node * t + 0.1 })),
  }));
  const svg = await fitPlot(nodes, "fit");
  const points = items(svg, "point");
  const initial = points.filter((p) => p.data.data === INITIAL);
  const fitted = points.filter((p) => p.data.data === OBSERVED);
  expect(initial.map((p) => `${p.data.node} ${labelNumber(p.data["time t"])}`)).toEqual([
    "node 1 1",
    "node 2 1",
  ]);
  expect(fitted).toHaveLength(6);
  for (const p of fitted) expect(labelNumber(p.data["time t"])).toBeGreaterThan(1);
  // Open: stroked, not filled; the fitted observations are filled.
  for (const p of initial) expect(p.attrs.fill === undefined || p.attrs.fill === "transparent").toBe(true);
  for (const p of fitted) expect(p.attrs.fill).toMatch(/^#/);
  expect(svg).toMatch(
    /legend titled 'data' for shape with 2 values: observed \(fitted\), u\(t₀\) given \(initial condition\)/,
  );
});

test("with a hold-out: the validation loss is a second, dashed curve with its own legend entry", async () => {
  const history = run(["adam", "adam", "adam", "lbfgs"]).map((h, i) => ({ ...h, validation_loss: 3 + i }));
  const svg = await lossPlot(history, "t");
  expect(svg).toMatch(/legend titled 'loss' for [^"]* with 3 values: Adam, L-BFGS, validation \(held out\)"/);
  const lines = items(svg, "line mark");
  const dashed = lines.filter((l) => l.attrs["stroke-dasharray"] === "6,4");
  expect(dashed).toHaveLength(1);
  // The dashed curve goes through the 4 validation values (y increases with the loss: 3 → 6,
  // so on screen it falls, its vertices' y decreasing).
  const ys = vertices(dashed[0]).map(([, y]) => y);
  expect(ys).toHaveLength(4);
  for (let k = 1; k < ys.length; k++) expect(ys[k]).toBeLessThan(ys[k - 1]);
  // Without validation values: the training curve alone, undashed.
  const plain = items(await lossPlot(run(["adam", "adam"]), "t"), "line mark");
  expect(plain).toHaveLength(1);
  expect(plain[0].attrs["stroke-dasharray"]).toBeUndefined();
});

test("fit.svg draws held-out observations (--holdout) apart: open triangles", async () => {
  const nodes = [1, 2].map((node) => ({
    node,
    observed: [1, 2, 3, 4].map((t) => ({ t, u: node * t })),
    after: [1, 2, 3, 4].map((t) => ({ t, u: node * t + 0.1 })),
    heldOut: [4],
  }));
  const svg = await fitPlot(nodes, "fit");
  const points = items(svg, "point");
  const held = points.filter((p) => p.data.data === HELD_OUT);
  expect(held.map((p) => `${p.data.node} ${labelNumber(p.data["time t"])}`)).toEqual([
    "node 1 4",
    "node 2 4",
  ]);
  expect(points.filter((p) => p.data.data === OBSERVED)).toHaveLength(4);
  for (const p of held) expect(p.attrs.fill).toBeUndefined();
});

test("the y axis names what the curve sums: the weights and penalties of the objective", async () => {
  const yTitle = (svg: string) => /aria-label="Y-axis titled '([^']*)'/.exec(svg)?.[1];
  expect(yTitle(await lossPlot(run(["adam"]), "t"))).toBe("loss Σ (prediction − data)² (log scale)");
  expect(yTitle(await lossPlot(run(["adam"]), "t", { weighted: true, l2: 1e-4 }))).toBe(
    "loss Σ w·(prediction − data)² + λ₂·Σθ² (log scale)",
  );
  expect(yTitle(await lossPlot(run(["adam"]), "t", { l1: 1e-3 }))).toBe(
    "loss Σ (prediction − data)² + λ₁·Σ|θ| (log scale)",
  );
  // Without the terms (the playground), a history that carries a penalty says so.
  const penalised = run(["adam"]).map((h) => ({ ...h, data_loss: h.loss - 1, penalty: 1 }));
  expect(yTitle(await lossPlot(penalised, "t"))).toBe("loss Σ (prediction − data)² + penalty (log scale)");
});

// residuals.svg's structure: one point per fitted observation at its time with residual
// predicted − observed, one thin line per node, all inside the plot area, and the zero line.
import { expect, test } from "vitest";
import { assertSvg, items, labelNumber, position, vertices } from "../test/svg.js";
import { residualsPlot } from "./residuals-plot.js";

// Plot area of residualsPlot: 640 × 320 pixels.
const W = 640;
const H = 320;

const times = [1, 2, 3, 4];
const observed = [
  [0.5, 0.9, 1.4, 2.0],
  [1.0, 0.7, Number.NaN, -0.2],
  [-1.0, -0.5, 0.0, 0.6],
];
const predicted = [
  [0.5, 1.0, 1.3, 2.2],
  [1.0, 0.7, 0.4, -0.1],
  [-1.0, -0.6, 0.1, 3.0],
];

test("points are the residuals at the observation times; one line per node; the zero line", async () => {
  const svg = await residualsPlot({ times, observed, predicted }, "residuals");
  assertSvg(svg);
  const points = items(svg, "point");
  expect(points).toHaveLength(8);
  const expected: string[] = [];
  for (const [i, row] of observed.entries()) {
    for (const [k, x] of row.entries()) {
      if (k > 0 && Number.isFinite(x))
        expected.push(`node ${i + 1} t=${times[k]} r=${(predicted[i][k] - x).toPrecision(6)}`);
    }
  }
  const drawn = points.map(
    (p) =>
      `${p.data.node} t=${labelNumber(p.data["time t"])} r=${labelNumber(p.data["residual (predicted − observed)"]).toPrecision(6)}`,
  );
  expect(drawn.sort()).toEqual(expected.sort());
  for (const p of points) {
    const [x, y] = position(p);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThanOrEqual(W);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(y).toBeLessThanOrEqual(H);
  }
  // One line per node through its points (node 2 has two observed values after t₀).
  const lines = items(svg, "line mark");
  expect(lines).toHaveLength(3);
  expect(lines.map((l) => vertices(l).length).sort()).toEqual([2, 3, 3]);
  // The zero line is horizontal, between the most negative and the most positive residual.
  const rules = items(svg, "rule mark");
  expect(rules).toHaveLength(1);
  const y0 = Number(/translate\([-\d.e]+,([-\d.e]+)\)/.exec(rules[0].attrs.transform ?? "")?.[1]);
  const ys = points.map((p) => position(p)[1]);
  expect(y0).toBeGreaterThan(Math.min(...ys));
  expect(y0).toBeLessThan(Math.max(...ys));
  // The largest |residual| (2.4 at node 3, t = 4) is named.
  expect(svg).toMatch(/Largest \|residual\|: 2\.4 \(node 3, t = 4\)/);
});

test("held-out observations: triangles, counted in the subtitle", async () => {
  const svg = await residualsPlot({ times, observed, predicted, heldOut: { nodes: [2] } }, "residuals");
  const points = items(svg, "point");
  expect(points).toHaveLength(8);
  // Node 3's three observations after t₀.
  const held = points.filter((p) => p.data.data === "held out (validation)");
  expect(held.map((p) => p.data.node)).toEqual(["node 3", "node 3", "node 3"]);
  expect(svg).toMatch(/all 3 nodes; 3 held out \(triangles\)\./);
});

// nodes.svg: small multiples up to 16 nodes (a panel per node: its observations, its initial
// condition drawn as a condition, its predicted trajectory), a residual heat map above that.
import { expect, test } from "vitest";
import { assertSvg, items, labelNumber } from "../test/svg.js";
import { HEATMAP_MAX_CELLS, nodesPlot, SMALL_MULTIPLES_MAX } from "./nodes-plot.js";
import { HELD_OUT, INITIAL, OBSERVED } from "./plots.js";

const times = [0, 1, 2, 3];

function problem(n: number) {
  const observed = Array.from({ length: n }, (_, i) => times.map((t) => Math.cos(i + t)));
  observed[1][2] = Number.NaN; // not observed
  const predicted = observed.map((r, i) =>
    r.map((x, k) => (k === 0 ? x : Math.cos(i + times[k]) + 0.01 * i * k)),
  );
  const dense = Array.from({ length: 31 }, (_, k) => k / 10);
  return {
    fit: { times, observed, predicted },
    dense: { times: dense, states: observed.map((_, i) => dense.map((t) => Math.cos(i + t))) },
  };
}

test("small multiples: one panel per node with its data, its initial condition and its trajectory", async () => {
  const { fit, dense } = problem(5);
  const svg = await nodesPlot(fit, dense, "nodes");
  assertSvg(svg);
  // Panel headers "node 1" … "node 5", in order.
  const headers = [...svg.matchAll(/<text[^>]*>(node \d+)<\/text>/g)].map((m) => m[1]);
  expect(headers).toEqual(["node 1", "node 2", "node 3", "node 4", "node 5"]);
  const lines = items(svg, "line mark");
  expect(lines).toHaveLength(5);
  const points = items(svg, "point");
  const initial = points.filter((p) => p.data.data === INITIAL);
  const fitted = points.filter((p) => p.data.data === OBSERVED);
  // One initial condition per node, at t₀; 3 observations per node after it, one missing.
  expect(initial).toHaveLength(5);
  for (const p of initial) expect(labelNumber(p.data["time t"])).toBe(0);
  expect(fitted).toHaveLength(5 * 3 - 1);
  for (const p of fitted) expect(labelNumber(p.data["time t"])).toBeGreaterThan(0);
  // The initial condition is an open diamond (no fill), the observations filled circles.
  for (const p of initial) expect(p.attrs.fill).toBeUndefined();
  for (const p of fitted) expect(p.attrs.fill).toBe("#d62728");
});

test(`above ${SMALL_MULTIPLES_MAX} nodes: a heat map of the residuals, nodes × times after t₀`, async () => {
  const n = SMALL_MULTIPLES_MAX + 4;
  const { fit, dense } = problem(n);
  const svg = await nodesPlot(fit, dense, "nodes");
  assertSvg(svg);
  const cells = items(svg, "rect mark");
  // n nodes × 3 times after t₀, minus the one missing value.
  expect(cells).toHaveLength(n * 3 - 1);
  for (const c of cells) {
    const i = Number(c.data.node) - 1;
    const k = times.indexOf(labelNumber(c.data["time t"]));
    expect(k).toBeGreaterThan(0);
    expect(labelNumber(c.data.residual)).toBeCloseTo(fit.predicted[i][k] - fit.observed[i][k], 10);
  }
  // A diverging scale centred at 0: node 1's residuals are all 0 (predicted = observed there) and
  // are drawn in the scale's light neutral middle; the largest residual (positive) in deep red.
  const rgb = (c: { attrs: Record<string, string> }) =>
    (/rgb\((\d+), (\d+), (\d+)\)/.exec(c.attrs.fill ?? "") ?? []).slice(1).map(Number);
  const zero = cells.filter((c) => c.data.node === "1");
  expect(zero).toHaveLength(3);
  for (const c of zero) {
    expect(labelNumber(c.data.residual)).toBe(0);
    const [r, g, b] = rgb(c);
    expect(Math.min(r, g, b)).toBeGreaterThan(220);
    expect(Math.abs(r - b)).toBeLessThan(15);
  }
  const top = cells.reduce((a, c) => (labelNumber(c.data.residual) > labelNumber(a.data.residual) ? c : a));
  const [r, g, b] = rgb(top);
  expect(r).toBeGreaterThan(b + 80);
  expect(g).toBeLessThan(60);
  expect(items(svg, "line mark")).toHaveLength(0);
});

test("small multiples: held-out observations are open triangles, apart from the fitted ones", async () => {
  const { fit, dense } = problem(5);
  const svg = await nodesPlot({ ...fit, heldOut: { columns: [3] } }, dense, "nodes");
  const points = items(svg, "point");
  const held = points.filter((p) => p.data.data === HELD_OUT);
  // Column 3 (t = 3) of every node.
  expect(held).toHaveLength(5);
  for (const p of held) expect(labelNumber(p.data["time t"])).toBe(3);
  for (const p of held) expect(p.attrs.fill).toBeUndefined();
  expect(points.filter((p) => p.data.data === OBSERVED)).toHaveLength(5 * 2 - 1);
  expect(svg).toMatch(
    /legend titled 'data' for shape with 3 values: observed \(fitted\), u\(t₀\) given \(initial condition\), held out \(validation\)/,
  );
});

test("heat map: the held-out times are named", async () => {
  const { fit, dense } = problem(SMALL_MULTIPLES_MAX + 1);
  const svg = await nodesPlot({ ...fit, heldOut: { columns: [2, 3] } }, dense, "nodes");
  expect(svg).toMatch(/Held out \(validation\): t = 2, 3\./);
});

test(`more than ${HEATMAP_MAX_CELLS} cells: bands of consecutive nodes, their mean residual`, async () => {
  // 3400 nodes × 3 times = 10 200 cells > 10 000: bands of 2 nodes, 1700 × 3 cells.
  const n = 3400;
  const observed = Array.from({ length: n }, (_, i) => times.map((t) => i + t));
  const predicted = observed.map((r, i) => r.map((x, k) => (k === 0 ? x : x + (i % 2 === 0 ? 0.1 : 0.3))));
  const svg = await nodesPlot({ times, observed, predicted }, undefined, "nodes");
  const cells = items(svg, "rect mark");
  expect(cells).toHaveLength(1700 * 3);
  // Each band averages a node with residual 0.1 and one with 0.3.
  for (const c of cells) expect(labelNumber(c.data.residual)).toBeCloseTo(0.2, 12);
  // Rows are labelled by the band's first node: 1, 3, 5, …
  const firsts = new Set(cells.map((c) => c.data["first node of the band"]));
  expect(firsts.size).toBe(1700);
  expect(firsts.has("1") && firsts.has("3") && !firsts.has("2")).toBe(true);
  expect(svg).toMatch(/bands of 2 consecutive nodes \(their mean residual\)/);
});

test("an incomplete last row: an x axis under each of the 6 panels, none under the 2 empty cells", async () => {
  const { fit, dense } = problem(6);
  const svg = await nodesPlot(fit, dense, "nodes");
  assertSvg(svg);
  // 4 columns: 4 panels, then 2. One axis per column in the footer would draw 4 axes, two of
  // them under empty cells of the second row.
  const xAxes = svg.match(/aria-label="X-axis titled 'time t'/g) ?? [];
  expect(xAxes).toHaveLength(6);
});

// parity.svg's structure (issue #21, "plots people look for"): one point per fitted observation
// (not the initial condition, not a missing value) carrying its values, every point inside the
// plot area (the axes contain the data), and the y = x line on the square's diagonal.
import { expect, test } from "vitest";
import { assertSvg, items, labelNumber, labels, position, vertices } from "../test/svg.js";
import { PARITY_MAX_POINTS, parityPlot } from "./parity-plot.js";

// Plot area of parityPlot: 420 × 420 pixels.
const SIDE = 420;
// vega rounds item coordinates to ~1e-2 px at most; half a pixel is far below any mistake
// (a wrong domain or a swapped axis moves points by tens of pixels).
const PX = 0.5;

const times = [0, 1, 2, 3];
const observed = [
  [0.5, 0.9, 1.4, 2.0],
  [1.0, 0.7, Number.NaN, -0.2], // one value not observed
  [-1.0, -0.5, 0.0, 0.6],
];
const predicted = [
  [0.5, 1.0, 1.3, 2.2],
  [1.0, 0.7, 0.4, -0.1], // t = 1: predicted = observed exactly
  [-1.0, -0.6, 0.1, 3.0],
];

test("one point per fitted, observed value, with its values; the y = x line on the diagonal", async () => {
  const svg = await parityPlot({ times, observed, predicted }, "parity");
  assertSvg(svg);
  const points = items(svg, "point");
  // 3 nodes × 3 times after t₀, minus the missing value; the initial condition (t₀) is left out.
  expect(points).toHaveLength(8);
  const expected: string[] = [];
  for (const [i, row] of observed.entries()) {
    for (const [k, x] of row.entries()) {
      if (k > 0 && Number.isFinite(x)) expected.push(`${x} ${predicted[i][k]}`);
    }
  }
  const drawn = points.map((p) => `${labelNumber(p.data.observed)} ${labelNumber(p.data.predicted)}`);
  expect(drawn.sort()).toEqual(expected.sort());
  for (const p of points) {
    const [x, y] = position(p);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThanOrEqual(SIDE);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(y).toBeLessThanOrEqual(SIDE);
  }
  // The y = x line: from the bottom-left to the top-right corner of the square plot area, so
  // x = SIDE − y along it (both axes share one domain).
  const lines = items(svg, "line mark");
  expect(lines).toHaveLength(1);
  const v = vertices(lines[0]);
  expect(v).toHaveLength(2);
  for (const [x, y] of v) expect(Math.abs(x - (SIDE - y))).toBeLessThan(PX);
  expect(v[0][0]).toBeCloseTo(0, 1);
  expect(v[1][0]).toBeCloseTo(SIDE, 1);
  // The exact prediction lies on the line; a point off it (0.6 → 3.0) lies above it.
  const exact = points.find((p) => p.data.observed === "0.7" && p.data.predicted === "0.7");
  const [ex, ey] = position(exact ?? points[0]);
  expect(exact).toBeDefined();
  expect(Math.abs(ex - (SIDE - ey))).toBeLessThan(PX);
  const above = points.find((p) => p.data.observed === "0.6");
  const [ax, ay] = position(above ?? points[0]);
  expect(SIDE - ay).toBeGreaterThan(ax + 100);
  // Axes: the same domain on both; the subtitle counts what is drawn.
  expect(labels(svg).find((l) => l.startsWith("X-axis"))).toMatch(/titled 'observed'/);
  expect(labels(svg).find((l) => l.startsWith("Y-axis"))).toMatch(/titled 'predicted'/);
  expect(svg).toMatch(/8 observations after t₀ = 0/);
});

test("more than 10 nodes: one colour, no node legend", async () => {
  const n = 12;
  const obs = Array.from({ length: n }, (_, i) => times.map((t) => i + t));
  const pred = obs.map((r) => r.map((x) => x + 0.1));
  const svg = await parityPlot({ times, observed: obs, predicted: pred }, "parity");
  expect(items(svg, "point")).toHaveLength(n * 3);
  expect(labels(svg).some((l) => l.includes("legend"))).toBe(false);
});

test("held-out observations are triangles with their own RMSE", async () => {
  // Column 3 (t = 3) held out: node 1's 2.0 → 2.2, node 2's −0.2 → −0.1, node 3's 0.6 → 3.0.
  const svg = await parityPlot({ times, observed, predicted, heldOut: { columns: [3] } }, "parity");
  const points = items(svg, "point");
  expect(points).toHaveLength(8);
  const held = points.filter((p) => p.data.data === "held out (validation)");
  expect(held.map((p) => labelNumber(p.data.observed)).sort()).toEqual([-0.2, 0.6, 2.0]);
  for (const p of held) expect(p.attrs.d).not.toBe(points.find((q) => q.data.data === "fitted")?.attrs.d);
  // RMSE of the held out: sqrt((0.2² + 0.1² + 2.4²) / 3) = 1.3910; of the 5 fitted: sqrt(0.04/5).
  expect(svg).toMatch(/RMSE 0\.0894 on the 5 fitted, 1\.39 on the 3 held out \(triangles\)/);
  expect(
    labels(svg).some((l) =>
      /legend titled 'data' for shape with 2 values: fitted, held out \(validation\)/.test(l),
    ),
  ).toBe(true);
});

test(`more than ${PARITY_MAX_POINTS} observations: evenly thinned, and the subtitle says so`, async () => {
  const n = 1700; // 1700 nodes × 3 times after t₀ = 5100 > 5000: every second point is drawn.
  const obs = Array.from({ length: n }, (_, i) => times.map((t) => Math.sin(i + t)));
  const pred = obs.map((r) => r.map((x) => x + 0.01));
  const svg = await parityPlot({ times, observed: obs, predicted: pred }, "parity");
  expect(items(svg, "point")).toHaveLength(2550);
  expect(svg).toMatch(/5100 observations after t₀ = 0 \(2550 of them drawn, evenly thinned\)/);
});

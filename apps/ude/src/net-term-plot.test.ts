// net-term.svg: for a block net of size b, b panels; panel j holds, for every block and every
// time, the point (u_j, nn(u)_j) — each entry's output against its own input.
import { expect, test } from "vitest";
import { assertSvg, items, labelNumber } from "../test/svg.js";
import { netTermPlot } from "./net-term-plot.js";

test("b panels; each point is an entry's output against its own input", async () => {
  const b = 3;
  const n = 6;
  const times = [1, 1.5, 2, 2.5, 3];
  const inputs = times.map((t) => Array.from({ length: n }, (_, i) => i + t));
  // Output of entry i: 10·i + u_i, so a point's block and entry can be read back from it.
  const outputs = inputs.map((u) => u.map((x, i) => 10 * i + x));
  const svg = await netTermPlot({ blockSize: b, times, inputs, outputs }, "net");
  assertSvg(svg);
  const headers = [...svg.matchAll(/<text[^>]*>(entry \d of \d)<\/text>/g)].map((m) => m[1]);
  expect(headers).toEqual(["entry 1 of 3", "entry 2 of 3", "entry 3 of 3"]);
  // Each panel has its own symbol mark container, in panel order.
  const panels = svg.split('aria-roledescription="symbol mark container"').slice(1);
  expect(panels).toHaveLength(b);
  expect(items(svg, "point")).toHaveLength(times.length * n);
  panels.forEach((panel, j) => {
    // 5 times × 2 blocks in each panel: entries j and j + b of u.
    const points = items(panel, "point");
    expect(points).toHaveLength(times.length * 2);
    const seen = new Set<string>();
    for (const p of points) {
      const u = labelNumber(p.data["input u_j"]);
      const y = labelNumber(p.data["output nn(u)_j"]);
      const t = labelNumber(p.data["time t"]);
      const i = Math.round((y - u) / 10); // the entry of u this point is
      expect(i % b).toBe(j);
      expect(u).toBeCloseTo(i + t, 9);
      seen.add(`${i} ${t}`);
    }
    expect(seen.size).toBe(times.length * 2);
  });
});

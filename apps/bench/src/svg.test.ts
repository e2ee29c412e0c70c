import { expect, test } from "vitest";
import { logLogSvg } from "./svg.js";

test("logLogSvg draws a titled chart with one marker per data point and a legend entry per series", () => {
  const svg = logLogSvg({
    title: "T <1>",
    xLabel: "n",
    yLabel: "ms",
    xTicks: [25, 50, 100],
    series: [
      {
        name: "a",
        color: "#000",
        points: [
          [25, 1],
          [50, 4],
          [100, 16],
        ],
      },
      {
        name: "guide",
        color: "#999",
        dashed: true,
        points: [
          [25, 1],
          [100, 64],
        ],
      },
    ],
  });
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg).toContain("<title>T &lt;1&gt;</title>");
  expect(svg.match(/<circle /g)?.length).toBe(3);
  expect(svg).toContain(">guide</text>");
  expect(svg).toContain('stroke-dasharray="6 4"');
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
});

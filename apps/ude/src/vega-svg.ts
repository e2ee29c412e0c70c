/**
 * Vega-Lite specifications rendered to standalone SVG in Node and in the browser (no canvas:
 * vega's "none" renderer plus View.toSVG), with the look every picture of the app shares.
 */
import * as vega from "vega";
import * as vl from "vega-lite";

export const FONT = "Helvetica, Arial, sans-serif";

/** The shared look: fonts, grid, legend and title sizes, white background. */
export const CONFIG = {
  font: FONT,
  axis: { labelFontSize: 12, titleFontSize: 13, grid: true, gridOpacity: 0.4 },
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 400, symbolSize: 220, symbolStrokeWidth: 2 },
  title: { fontSize: 15, anchor: "start" as const, subtitleFontSize: 12, subtitleColor: "#444" },
  header: { labelFontSize: 12, titleFontSize: 13 },
  background: "white",
};

export const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** The SVG text of a Vega-Lite specification. */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/**
 * residuals.svg: predicted − observed at every observation time after t₀, for every node, as
 * points joined by thin lines per node, around a zero line. Systematic drift over time (a
 * residual growing with t) shows here where the parity plot hides it.
 */
import {
  FITTED_KIND,
  fitPoints,
  HELD_OUT_KIND,
  type ObservationFit,
  short,
  thin,
} from "./observation-fit.js";
import { COLOUR_NODES, kindEncoding } from "./parity-plot.js";
import { CONFIG, renderSvg, SCHEMA } from "./vega-svg.js";

/** Points drawn at most (each ~300 bytes of SVG); more are thinned by whole nodes (and the subtitle says so). */
export const RESIDUALS_MAX_POINTS = 5000;

export async function residualsPlot(fit: ObservationFit, title: string): Promise<string> {
  const all = fitPoints(fit);
  const n = fit.observed.length;
  // Thin by nodes, not by points, so every line drawn is a node's whole residual history.
  const perNode = Math.max(1, all.length / Math.max(1, n));
  const keepNodes = new Set(
    thin(
      Array.from({ length: n }, (_, i) => i + 1),
      Math.max(1, Math.floor(RESIDUALS_MAX_POINTS / perNode)),
    ),
  );
  const rows = all
    .filter((p) => keepNodes.has(p.node))
    .map((p) => ({
      t: p.t,
      residual: p.predicted - p.observed,
      node: `node ${p.node}`,
      kind: p.heldOut ? HELD_OUT_KIND : FITTED_KIND,
    }));
  const heldOut = all.filter((p) => p.heldOut).length;
  let worst = { r: 0, node: 0, t: 0 };
  for (const p of all) {
    const r = p.predicted - p.observed;
    if (Math.abs(r) > Math.abs(worst.r)) worst = { r, node: p.node, t: p.t };
  }
  const byNode = n <= COLOUR_NODES;
  const nodesText = keepNodes.size < n ? `${keepNodes.size} of ${n} nodes (evenly chosen)` : `all ${n} nodes`;
  const subtitle = [
    `predicted − observed at the ${all.length} observations after t₀ = ${fit.times[0]}, ${nodesText}${heldOut > 0 ? `; ${heldOut} held out (triangles)` : ""}.`,
    all.length > 0
      ? `Largest |residual|: ${short(worst.r)} (node ${worst.node}, t = ${worst.t}).`
      : "No observations after t₀.",
  ];
  const colour = byNode
    ? { color: { field: "node", type: "nominal" as const, title: "node", sort: null } }
    : { color: { value: "#1f77b4" } };
  return renderSvg({
    $schema: SCHEMA,
    title: { text: title, subtitle },
    width: 640,
    height: 320,
    config: CONFIG,
    layer: [
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: "rule", color: "#555", strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { y: { field: "zero", type: "quantitative" } },
      },
      {
        data: { values: rows },
        encoding: {
          x: { field: "t", type: "quantitative", title: "time t", scale: { zero: false } },
          y: { field: "residual", type: "quantitative", title: "residual (predicted − observed)" },
          ...colour,
          detail: { field: "node" },
        },
        layer: [
          { mark: { type: "line", strokeWidth: byNode ? 1.2 : 0.7, opacity: byNode ? 0.8 : 0.3 } },
          {
            mark: { type: "point", filled: true, size: byNode ? 36 : 14, opacity: byNode ? 0.9 : 0.5 },
            ...(heldOut > 0 ? { encoding: kindEncoding(byNode) } : {}),
          },
        ],
      },
    ],
  });
}

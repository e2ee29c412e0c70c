/**
 * nodes.svg: the fit of every node. Up to SMALL_MULTIPLES_MAX nodes: one small panel per node
 * (observations as points, the initial condition as an open diamond, the predicted trajectory as
 * a line, each panel with its own y range). Above that, a heat map of the residuals
 * (predicted − observed), nodes × observation times after t₀, on a diverging scale centred at 0.
 */
import { isHeldOut, type ObservationFit, short } from "./observation-fit.js";
import { dataPointLayers, HELD_OUT, INITIAL, OBSERVED } from "./plots.js";
import { CONFIG, renderSvg, SCHEMA } from "./vega-svg.js";

/** Nodes up to which every node gets its own panel (a 4 × 4 grid at most). */
export const SMALL_MULTIPLES_MAX = 16;

/** Heat-map cells drawn at most (each ~250 bytes of SVG); more nodes are averaged in bands of consecutive nodes. */
export const HEATMAP_MAX_CELLS = 10_000;

/** Dense predicted trajectories of every node: states[i][k] at times[k]. */
export interface DenseTrajectories {
  times: readonly number[];
  states: readonly (readonly number[])[];
}

export async function nodesPlot(
  fit: ObservationFit,
  dense: DenseTrajectories | undefined,
  title: string,
): Promise<string> {
  return fit.observed.length <= SMALL_MULTIPLES_MAX
    ? smallMultiples(fit, dense, title)
    : residualHeatMap(fit, title);
}

/** One panel per node: data, initial condition and predicted trajectory. */
async function smallMultiples(
  fit: ObservationFit,
  dense: DenseTrajectories | undefined,
  title: string,
): Promise<string> {
  const rows: { node: string; t: number; u: number; series: string }[] = [];
  fit.observed.forEach((row, i) => {
    const node = `node ${i + 1}`;
    row.forEach((u, k) => {
      const series = k === 0 ? INITIAL : isHeldOut(fit, i, k) ? HELD_OUT : OBSERVED;
      if (Number.isFinite(u)) rows.push({ node, t: fit.times[k], u, series });
    });
    const line = dense ?? { times: fit.times, states: fit.predicted };
    line.states[i].forEach((u, k) => {
      if (Number.isFinite(u)) rows.push({ node, t: line.times[k], u, series: "predicted" });
    });
  });
  const n = fit.observed.length;
  return renderSvg({
    $schema: SCHEMA,
    title: {
      text: title,
      subtitle: `Each of the ${n} nodes: observations (filled), the initial condition (open diamond, given), ${fit.heldOut !== undefined ? "held-out observations (open triangles), " : ""}the predicted trajectory (line).`,
    },
    config: CONFIG,
    data: { values: rows },
    facet: { field: "node", type: "nominal", title: null, sort: null, header: { labelFontSize: 12 } },
    columns: Math.min(4, n),
    // An x axis under every panel, not one per column in the footer: a last row with fewer panels
    // would otherwise show axes under empty cells.
    resolve: { scale: { y: "independent" }, axis: { x: "independent" } },
    spec: {
      width: 170,
      height: 110,
      encoding: {
        x: { field: "t", type: "quantitative", title: "time t", scale: { zero: false } },
        y: { field: "u", type: "quantitative", title: "u_i(t)", scale: { zero: false } },
      },
      layer: [
        {
          transform: [{ filter: { field: "series", equal: "predicted" } }],
          mark: { type: "line", strokeWidth: 1.6, color: "#1f77b4" },
        },
        ...dataPointLayers(
          "#d62728",
          rows.some((r) => r.series === HELD_OUT),
        ),
      ],
    },
  });
}

/** Which observations are held out, for the heat map's subtitle. */
function heldOutText(fit: ObservationFit): string {
  const h = fit.heldOut;
  if (h?.columns !== undefined && h.columns.length > 0) {
    return ` Held out (validation): t = ${h.columns.map((k) => fit.times[k]).join(", ")}.`;
  }
  if (h?.nodes !== undefined && h.nodes.length > 0) {
    return ` Held out (validation): nodes ${h.nodes.map((i) => i + 1).join(", ")}.`;
  }
  return "";
}

/** Residuals, nodes × times after t₀, as coloured cells (bands of nodes averaged when many). */
async function residualHeatMap(fit: ObservationFit, title: string): Promise<string> {
  const n = fit.observed.length;
  const m = fit.times.length - 1;
  const band = Math.max(1, Math.ceil((n * m) / HEATMAP_MAX_CELLS));
  const cells: { node: number; t: string; residual: number }[] = [];
  let largest = 0;
  for (let first = 0; first < n; first += band) {
    for (let k = 1; k <= m; k++) {
      let sum = 0;
      let count = 0;
      for (let i = first; i < Math.min(n, first + band); i++) {
        const r = fit.predicted[i][k] - fit.observed[i][k];
        if (Number.isFinite(r)) {
          sum += r;
          count++;
        }
      }
      if (count === 0) continue;
      const residual = sum / count;
      largest = Math.max(largest, Math.abs(residual));
      cells.push({ node: first + 1, t: String(fit.times[k]), residual });
    }
  }
  const limit = largest > 0 ? largest : 1;
  const rowsText = band > 1 ? `bands of ${band} consecutive nodes (their mean residual)` : "nodes";
  const step = Math.max(2, Math.min(14, Math.floor(600 / Math.ceil(n / band))));
  return renderSvg({
    $schema: SCHEMA,
    title: {
      text: title,
      subtitle: [
        `Residual predicted − observed: ${rowsText} × the ${m} observation times after t₀ = ${fit.times[0]}; blank cells are not observed.`,
        `Colour from −${short(limit)} (blue) through 0 (white) to +${short(limit)} (red).${heldOutText(fit)}`,
      ],
    },
    config: CONFIG,
    data: { values: cells },
    width: Math.max(240, Math.min(720, 40 * m)),
    height: { step },
    mark: { type: "rect" },
    encoding: {
      x: { field: "t", type: "ordinal", title: "time t", sort: null, axis: { labelAngle: 0, grid: false } },
      y: {
        field: "node",
        type: "ordinal",
        title: band > 1 ? "first node of the band" : "node",
        sort: "ascending",
        axis: {
          grid: false,
          values: cells
            .map((c) => c.node)
            .filter((v, i, a) => a.indexOf(v) === i && (v - 1) % (10 * band) === 0),
        },
      },
      color: {
        field: "residual",
        type: "quantitative",
        title: "residual",
        scale: { scheme: "redblue", reverse: true, domain: [-limit, limit], nice: false },
      },
    },
  });
}

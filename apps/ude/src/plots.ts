/**
 * The two pictures, as Vega-Lite specifications rendered to standalone SVG in Node (no canvas:
 * vega's "none" renderer plus View.toSVG):
 * - loss.svg: the loss per iteration on a log scale, coloured by optimiser phase;
 * - fit.svg: observed values (points) and predicted trajectories (lines: after training solid,
 *   before training dashed) for a few nodes, one colour per node.
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { IterationRecord } from "./training.js";

const FONT = "Helvetica, Arial, sans-serif";
const CONFIG = {
  font: FONT,
  axis: { labelFontSize: 12, titleFontSize: 13, grid: true, gridOpacity: 0.4 },
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 400, symbolSize: 220, symbolStrokeWidth: 2 },
  title: { fontSize: 15, anchor: "start" as const },
  background: "white",
};

async function render(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const PHASE_NAMES = { adam: "Adam", lbfgs: "L-BFGS" } as const;

const PHASE_COLOURS = { Adam: "#1f77b4", "L-BFGS": "#d62728" } as const;

/**
 * The loss curve (log-scale y). The legend names only the optimisers that ran; the iteration
 * axis has whole-number ticks only (a run of 3 iterations gets 1, 2, 3, not 0.5, 1.0, 1.5 …).
 */
export async function lossPlot(history: readonly IterationRecord[], title: string): Promise<string> {
  const values = history
    .filter((h) => Number.isFinite(h.loss) && h.loss > 0)
    .map((h) => ({ iteration: h.iteration, loss: h.loss, phase: PHASE_NAMES[h.phase] }));
  const phases = (["Adam", "L-BFGS"] as const).filter((p) => values.some((v) => v.phase === p));
  return render({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 640,
    height: 360,
    config: CONFIG,
    data: { values },
    layer: [
      {
        // Points too on short runs: a single iteration is otherwise an invisible line.
        mark: { type: "line", strokeWidth: 2, point: values.length <= 20 },
        encoding: {
          x: {
            field: "iteration",
            type: "quantitative",
            title: "iteration",
            axis: { tickMinStep: 1, format: "d" },
          },
          y: {
            field: "loss",
            type: "quantitative",
            scale: { type: "log", nice: false, padding: 12 },
            title: "loss Σ (prediction − data)² (log scale)",
          },
          color: {
            field: "phase",
            type: "nominal",
            title: "optimiser",
            scale: { domain: phases, range: phases.map((p) => PHASE_COLOURS[p]) },
          },
        },
      },
    ],
  });
}

/** One node's trajectory for the fit plot. */
export interface NodeTrajectory {
  node: number;
  /** Observation times and values. */
  observed: { t: number; u: number }[];
  /** Dense predicted trajectory after training. */
  after: { t: number; u: number }[];
  /** Dense predicted trajectory at the starting parameters (optional). */
  before?: { t: number; u: number }[];
}

/** Observed points and predicted lines for a few nodes. */
export async function fitPlot(nodes: readonly NodeTrajectory[], title: string): Promise<string> {
  const rows: { t: number; u: number; node: string; series: string }[] = [];
  for (const n of nodes) {
    const node = `node ${n.node}`;
    for (const p of n.observed) rows.push({ ...p, node, series: "observed" });
    for (const p of n.after) rows.push({ ...p, node, series: "predicted (trained)" });
    for (const p of n.before ?? []) rows.push({ ...p, node, series: "predicted (initial)" });
  }
  const hasBefore = nodes.some((n) => n.before !== undefined);
  const lineSeries = hasBefore ? ["predicted (trained)", "predicted (initial)"] : ["predicted (trained)"];
  return render({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 640,
    height: 380,
    config: CONFIG,
    data: { values: rows },
    encoding: {
      x: { field: "t", type: "quantitative", title: "time t", scale: { zero: false } },
      y: { field: "u", type: "quantitative", title: "state u_i(t)", scale: { zero: false } },
      color: { field: "node", type: "nominal", title: "node" },
    },
    layer: [
      {
        transform: [{ filter: { field: "series", oneOf: lineSeries } }],
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          strokeDash: {
            field: "series",
            type: "nominal",
            title: "curve",
            scale: {
              domain: lineSeries,
              range: hasBefore
                ? [
                    [1, 0],
                    [6, 4],
                  ]
                : [[1, 0]],
            },
          },
          detail: { field: "series" },
        },
      },
      {
        transform: [{ filter: { field: "series", equal: "observed" } }],
        mark: { type: "point", filled: true, size: 70, stroke: "black", strokeWidth: 0.6 },
        encoding: {
          shape: { field: "series", type: "nominal", title: "data", scale: { range: ["circle"] } },
        },
      },
    ],
  });
}

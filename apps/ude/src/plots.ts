/**
 * The training pictures, as Vega-Lite specifications rendered to standalone SVG in Node and in
 * the browser (vega-svg.ts):
 * - loss.svg: the loss per iteration on a log scale, coloured by optimiser phase;
 * - fit.svg: observed values (points; the initial condition an open diamond, held-out values open
 *   triangles) and predicted trajectories (lines: after training solid, before training dashed)
 *   for a few nodes, one colour per node.
 * The diagnostic plots are in parity-plot.ts, residuals-plot.ts, nodes-plot.ts and net-term-plot.ts.
 */

import type * as vl from "vega-lite";
import { HELD_OUT_KIND } from "./observation-fit.js";
import type { IterationRecord } from "./training.js";
import { CONFIG, renderSvg as render, SCHEMA } from "./vega-svg.js";

const PHASE_NAMES = { adam: "Adam", lbfgs: "L-BFGS" } as const;

const PHASE_COLOURS = { Adam: "#1f77b4", "L-BFGS": "#d62728" } as const;
/** The validation curve's legend entry and colour (a hold-out's loss, plotted dashed). */
export const VALIDATION = "validation (held out)";
const VALIDATION_COLOUR = "#2ca02c";

/**
 * The loss curve (log-scale y). The legend names only the optimisers that ran; the iteration
 * axis has whole-number ticks only (a run of 3 iterations gets 1, 2, 3, not 0.5, 1.0, 1.5 …).
 */
/** What the training loss sums, for loss.svg's y axis (train.ts knows; absent: read from the history). */
export interface ObjectiveTerms {
  /** --weights: each squared residual has its weight. */
  weighted?: boolean;
  l2?: number;
  l1?: number;
}

/**
 * loss.svg's y-axis title: the objective plotted, e.g. `loss Σ w·(prediction − data)² + λ₂·Σθ²
 * (log scale)`. Without `terms`, a history whose entries carry a penalty gets `+ penalty`.
 */
export function lossAxisTitle(history: readonly IterationRecord[], terms?: ObjectiveTerms): string {
  const data = terms?.weighted ? "Σ w·(prediction − data)²" : "Σ (prediction − data)²";
  const penalty =
    terms === undefined
      ? history.some((h) => h.penalty !== undefined)
        ? " + penalty"
        : ""
      : `${(terms.l2 ?? 0) > 0 ? " + λ₂·Σθ²" : ""}${(terms.l1 ?? 0) > 0 ? " + λ₁·Σ|θ|" : ""}`;
  return `loss ${data}${penalty} (log scale)`;
}

export async function lossPlot(
  history: readonly IterationRecord[],
  title: string,
  terms?: ObjectiveTerms,
): Promise<string> {
  const values: { iteration: number; loss: number; phase: string }[] = history
    .filter((h) => Number.isFinite(h.loss) && h.loss > 0)
    .map((h) => ({ iteration: h.iteration, loss: h.loss, phase: PHASE_NAMES[h.phase] }));
  const phases: string[] = (["Adam", "L-BFGS"] as const).filter((p) => values.some((v) => v.phase === p));
  // With a hold-out (--holdout), the validation loss per iteration as a second, dashed curve.
  const validation = history
    .filter(
      (h) => h.validation_loss !== undefined && Number.isFinite(h.validation_loss) && h.validation_loss > 0,
    )
    .map((h) => ({ iteration: h.iteration, loss: h.validation_loss as number, phase: VALIDATION }));
  const series = validation.length > 0 ? [...phases, VALIDATION] : phases;
  const colours = series.map((p) =>
    p === VALIDATION ? VALIDATION_COLOUR : PHASE_COLOURS[p as keyof typeof PHASE_COLOURS],
  );
  const encoding = {
    x: {
      field: "iteration",
      type: "quantitative" as const,
      title: "iteration",
      axis: { tickMinStep: 1, format: "d" },
    },
    y: {
      field: "loss",
      type: "quantitative" as const,
      scale: { type: "log" as const, nice: false, padding: 12 },
      title: lossAxisTitle(history, terms),
    },
    color: {
      field: "phase",
      type: "nominal" as const,
      title: validation.length > 0 ? "loss" : "optimiser",
      scale: { domain: series, range: colours },
    },
  };
  return render({
    $schema: SCHEMA,
    title,
    width: 640,
    height: 360,
    config: CONFIG,
    layer: [
      {
        data: { values },
        // Points too on short runs: a single iteration is otherwise an invisible line.
        mark: { type: "line", strokeWidth: 2, point: values.length <= 20 },
        encoding,
      },
      ...(validation.length > 0
        ? [
            {
              data: { values: validation },
              mark: {
                type: "line" as const,
                strokeWidth: 2,
                strokeDash: [6, 4],
                point: validation.length <= 20,
              },
              encoding,
            },
          ]
        : []),
    ],
  });
}

/** One node's trajectory for the fit plot. */
export interface NodeTrajectory {
  node: number;
  /**
   * Observation times and values. The earliest is the initial condition u(t₀): given to the
   * solver, not fitted, so it is drawn as a condition (an open diamond), not as a data point.
   */
  observed: { t: number; u: number }[];
  /** Dense predicted trajectory after training. */
  after: { t: number; u: number }[];
  /** Dense predicted trajectory at the starting parameters (optional). */
  before?: { t: number; u: number }[];
  /** Times of this node's observations held out for validation (--holdout), drawn apart. */
  heldOut?: readonly number[];
}

/** The layers of a layered Vega-Lite specification (vega-lite exports only TopLevelSpec). */
export type Layers = Extract<vl.TopLevelSpec, { layer: unknown }>["layer"];

/** Legend names of the kinds of data point in the fit plots. */
export const OBSERVED = "observed (fitted)";
export const INITIAL = "u(t₀) given (initial condition)";
export const HELD_OUT = HELD_OUT_KIND;

/** The observed points of a node split into the initial condition and the fitted observations. */
export function splitInitial(observed: readonly { t: number; u: number }[]): {
  initial?: { t: number; u: number };
  fitted: { t: number; u: number }[];
} {
  if (observed.length === 0) return { fitted: [] };
  let k0 = 0;
  for (let k = 1; k < observed.length; k++) if (observed[k].t < observed[k0].t) k0 = k;
  return { initial: observed[k0], fitted: observed.filter((_, k) => k !== k0) };
}

/**
 * The point layers of a fit plot: fitted observations (filled circles), the initial condition
 * (open diamonds) and, with `heldOut`, observations held out for validation (open triangles),
 * sharing one "data" legend. Rows carry `series` = OBSERVED, INITIAL or HELD_OUT.
 */
export function dataPointLayers(colour?: string, heldOut = false): Layers {
  const color = colour !== undefined ? { color: { value: colour } } : {};
  const shape = {
    field: "series",
    type: "nominal" as const,
    title: "data",
    scale: heldOut
      ? { domain: [OBSERVED, INITIAL, HELD_OUT], range: ["circle", "diamond", "triangle-up"] }
      : { domain: [OBSERVED, INITIAL], range: ["circle", "diamond"] },
  };
  return [
    {
      transform: [{ filter: { field: "series", equal: OBSERVED } }],
      mark: { type: "point", filled: true, size: 70, stroke: "black", strokeWidth: 0.6 },
      encoding: { shape, ...color },
    },
    {
      transform: [{ filter: { field: "series", equal: INITIAL } }],
      mark: { type: "point", filled: false, size: 150, strokeWidth: 2.2 },
      encoding: { shape, ...color },
    },
    ...(heldOut
      ? [
          {
            transform: [{ filter: { field: "series", equal: HELD_OUT } }],
            mark: { type: "point" as const, filled: false, size: 110, strokeWidth: 1.8 },
            encoding: { shape, ...color },
          },
        ]
      : []),
  ];
}

/**
 * Observed points (the initial condition drawn as a condition) and predicted lines for a few
 * nodes. With `lastObservation` (trajectories that go beyond the data), a dotted vertical line
 * marks it and the subtitle says that the lines right of it are extrapolated.
 */
export async function fitPlot(
  nodes: readonly NodeTrajectory[],
  title: string,
  options: { lastObservation?: number } = {},
): Promise<string> {
  const last = options.lastObservation;
  const rows: { t: number; u: number; node: string; series: string }[] = [];
  for (const n of nodes) {
    const node = `node ${n.node}`;
    const { initial, fitted } = splitInitial(n.observed);
    for (const p of fitted) rows.push({ ...p, node, series: n.heldOut?.includes(p.t) ? HELD_OUT : OBSERVED });
    if (initial) rows.push({ ...initial, node, series: INITIAL });
    for (const p of n.after) rows.push({ ...p, node, series: "predicted (trained)" });
    for (const p of n.before ?? []) rows.push({ ...p, node, series: "predicted (initial)" });
  }
  const hasBefore = nodes.some((n) => n.before !== undefined);
  const lineSeries = hasBefore ? ["predicted (trained)", "predicted (initial)"] : ["predicted (trained)"];
  return render({
    $schema: SCHEMA,
    title:
      last === undefined
        ? title
        : {
            text: title,
            subtitle: `Dotted line: the last observation (t = ${last}); to its right the model extrapolates beyond the data.`,
          },
    width: 640,
    height: 380,
    config: CONFIG,
    data: { values: rows },
    layer: [
      {
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
          ...dataPointLayers(
            undefined,
            rows.some((r) => r.series === HELD_OUT),
          ),
        ],
      },
      ...(last === undefined
        ? []
        : [
            {
              data: { values: [{ t: last }] },
              mark: { type: "rule" as const, color: "#555", strokeDash: [2, 3], strokeWidth: 1.5 },
              encoding: { x: { field: "t", type: "quantitative" as const } },
            },
          ]),
    ],
  });
}

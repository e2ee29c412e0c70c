/**
 * parity.svg: predicted against observed for every fitted observation (times after t₀), with
 * the line y = x on which a perfect fit would lie. Both axes share one range, so the picture is
 * square and distance from the line reads the same in both directions. Held-out observations
 * (--holdout) are triangles, with their own RMSE.
 */
import {
  FITTED_KIND,
  type FitPoint,
  fitPoints,
  HELD_OUT_KIND,
  type ObservationFit,
  rmse,
  short,
  thin,
} from "./observation-fit.js";
import { CONFIG, renderSvg, SCHEMA } from "./vega-svg.js";

/** Points drawn at most (each ~330 bytes of SVG); more are thinned evenly (and the subtitle says so). */
export const PARITY_MAX_POINTS = 5000;

/** Nodes up to which each node gets its own colour (Tableau 10). */
export const COLOUR_NODES = 10;

/** The common range of both axes: every value, padded by 3 % (at least ±0.5 around a constant). */
export function parityRange(points: readonly FitPoint[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    lo = Math.min(lo, p.observed, p.predicted);
    hi = Math.max(hi, p.observed, p.predicted);
  }
  if (!(hi > lo)) return points.length === 0 ? [0, 1] : [lo - 0.5, hi + 0.5];
  const pad = 0.03 * (hi - lo);
  return [lo - pad, hi + pad];
}

/** Shape (and, without node colours, colour) of fitted and held-out points, sharing one legend. */
export function kindEncoding(byNode: boolean) {
  const domain = [FITTED_KIND, HELD_OUT_KIND];
  return {
    shape: {
      field: "kind",
      type: "nominal" as const,
      title: "data",
      scale: { domain, range: ["circle", "triangle-up"] },
    },
    ...(byNode
      ? {}
      : {
          color: {
            field: "kind",
            type: "nominal" as const,
            title: "data",
            scale: { domain, range: ["#1f77b4", "#ff7f0e"] },
          },
        }),
  };
}

export async function parityPlot(fit: ObservationFit, title: string): Promise<string> {
  const all = fitPoints(fit);
  const points = thin(all, PARITY_MAX_POINTS);
  const [lo, hi] = parityRange(all);
  const n = fit.observed.length;
  const held = all.filter((p) => p.heldOut);
  const fitted = all.filter((p) => !p.heldOut);
  const shown = points.length < all.length ? ` (${points.length} of them drawn, evenly thinned)` : "";
  const subtitle = [
    `${all.length} observations after t₀ = ${fit.times[0]}${shown}; the initial condition is given, not fitted.`,
    held.length > 0
      ? `Dashed: y = x (a perfect fit). RMSE ${short(rmse(fitted))} on the ${fitted.length} fitted, ${short(rmse(held))} on the ${held.length} held out (triangles).`
      : `Dashed: y = x (a perfect fit). RMSE ${short(rmse(all))}.`,
  ];
  const scale = { domain: [lo, hi], nice: false, zero: false };
  const byNode = n <= COLOUR_NODES;
  return renderSvg({
    $schema: SCHEMA,
    title: { text: title, subtitle },
    width: 420,
    height: 420,
    config: CONFIG,
    layer: [
      {
        data: {
          values: [
            { observed: lo, predicted: lo },
            { observed: hi, predicted: hi },
          ],
        },
        mark: { type: "line", color: "#555", strokeDash: [6, 4], strokeWidth: 1.5, clip: true },
        encoding: {
          x: { field: "observed", type: "quantitative", scale },
          y: { field: "predicted", type: "quantitative", scale },
        },
      },
      {
        data: {
          values: points.map((p) => ({
            ...p,
            node: `node ${p.node}`,
            kind: p.heldOut ? HELD_OUT_KIND : FITTED_KIND,
          })),
        },
        mark: {
          type: "point",
          filled: true,
          size: byNode ? 50 : 22,
          opacity: byNode ? 0.9 : 0.55,
          ...(byNode || held.length > 0 ? {} : { color: "#1f77b4" }),
        },
        encoding: {
          x: { field: "observed", type: "quantitative", title: "observed", scale },
          y: { field: "predicted", type: "quantitative", title: "predicted", scale },
          ...(byNode
            ? { color: { field: "node", type: "nominal" as const, title: "node", sort: null } }
            : {}),
          ...(held.length > 0 ? kindEncoding(byNode) : {}),
        },
      },
    ],
  });
}

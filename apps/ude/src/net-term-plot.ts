/**
 * net-term.svg: what the net learned. The blockwise net maps each block of b consecutive
 * entries of u to b outputs; one panel per entry j of the block shows nn(u)_j against its own
 * input u_j, over the states of the predicted trajectory (every block, every time drawn),
 * coloured by time. A straight line through 0 is a net that only rescales; curvature or spread
 * (the other entries of the block acting on entry j) is what the linear model cannot express.
 */
import { short, thin } from "./observation-fit.js";
import { CONFIG, renderSvg, SCHEMA } from "./vega-svg.js";

/** Points drawn at most over all panels (each costs ~330 bytes of SVG); more times are thinned evenly. */
export const NET_TERM_MAX_POINTS = 3000;

/** The net's input and output along a trajectory. */
export interface NetTermSamples {
  /** Entries per block (the net's input and output width). */
  blockSize: number;
  /** Times of the states, increasing. */
  times: readonly number[];
  /** inputs[k] = u(times[k]) (n entries), outputs[k] = nn(u(times[k])) (n entries). */
  inputs: readonly (readonly number[])[];
  outputs: readonly (readonly number[])[];
}

export async function netTermPlot(samples: NetTermSamples, title: string): Promise<string> {
  const b = samples.blockSize;
  const n = samples.inputs[0]?.length ?? 0;
  const blocks = Math.floor(n / b);
  const ks = thin(
    samples.times.map((_, k) => k),
    Math.max(2, Math.floor(NET_TERM_MAX_POINTS / Math.max(1, n))),
  );
  const rows: { entry: string; t: number; u: number; nn: number; block: number }[] = [];
  for (const k of ks) {
    const u = samples.inputs[k];
    const y = samples.outputs[k];
    for (let blk = 0; blk < blocks; blk++) {
      for (let j = 0; j < b; j++) {
        const i = blk * b + j;
        if (Number.isFinite(u[i]) && Number.isFinite(y[i])) {
          rows.push({
            entry: `entry ${j + 1} of ${b}`,
            t: samples.times[k],
            u: u[i],
            nn: y[i],
            block: blk + 1,
          });
        }
      }
    }
  }
  const t0 = samples.times[0];
  const t1 = samples.times[samples.times.length - 1];
  const thinned =
    ks.length < samples.times.length ? ` (${ks.length} of ${samples.times.length} times drawn)` : "";
  return renderSvg({
    $schema: SCHEMA,
    title: {
      text: title,
      subtitle: [
        `One net on each of the ${blocks} blocks of ${b} entries of u; panel j: output nn(u)_j against input u_j,`,
        `every block, at ${samples.times.length} times from t = ${short(t0)} to ${short(t1)} on the predicted trajectory${thinned}.`,
      ],
    },
    config: CONFIG,
    data: { values: rows },
    facet: { field: "entry", type: "nominal", title: null, sort: null },
    columns: Math.min(b, 4),
    spec: {
      width: 220,
      height: 180,
      mark: { type: "point", filled: true, size: 14, opacity: 0.6 },
      encoding: {
        x: { field: "u", type: "quantitative", title: "input u_j", scale: { zero: false } },
        y: { field: "nn", type: "quantitative", title: "output nn(u)_j", scale: { zero: false } },
        color: { field: "t", type: "quantitative", title: "time t", scale: { scheme: "viridis" } },
      },
    },
  });
}

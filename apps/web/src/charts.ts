/**
 * The page's three live charts, drawn by uPlot (canvas, fast enough to redraw every iteration):
 * - the loss per iteration on a log scale, Adam and L-BFGS in the colours of the CLI's loss.svg;
 * - the fit: observed values (points) and predicted trajectories of a few nodes, at the current
 *   parameters (solid) and at the starting ones (dashed);
 * - the data: every node's observations over time, the plotted nodes in their colours.
 * The downloadable SVGs are the CLI's own Vega-Lite pictures (main.ts, ude/src/plots.ts).
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { FitData, Point } from "./protocol.js";

/** The CLI's phase colours (ude/src/plots.ts) and a palette for nodes (Tableau 10). */
const ADAM = "#1f77b4";
const LBFGS = "#d62728";
const NODE_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"];

export function nodeColour(j: number): string {
  return NODE_COLOURS[j % NODE_COLOURS.length];
}

const HEIGHT = 280;

function widthOf(el: HTMLElement): number {
  return Math.max(280, Math.floor(el.clientWidth));
}

/** Keeps the container's current chart as wide as the container. */
function fitWidth(el: HTMLElement, chart: () => uPlot | undefined): void {
  new ResizeObserver(() => chart()?.setSize({ width: widthOf(el), height: HEIGHT })).observe(el);
}

const axis = (label: string): uPlot.Axis => ({ label, stroke: "#333", grid: { stroke: "#e6e6e6" } });
const pointsOnly = (colour: string, size: number): uPlot.Series => ({
  stroke: colour,
  width: 0,
  paths: () => null,
  points: { show: true, size, fill: colour, stroke: "#222", width: 1 },
});

/** The loss curve: one x array, Adam's and L-BFGS's losses (null where the other phase ran). */
export class LossChart {
  private readonly chart: uPlot;
  private readonly x: number[] = [];
  private readonly adam: (number | null)[] = [];
  private readonly lbfgs: (number | null)[] = [];

  constructor(el: HTMLElement) {
    this.chart = new uPlot(
      {
        width: widthOf(el),
        height: HEIGHT,
        scales: { x: { time: false }, y: { distr: 3 } },
        axes: [axis("iteration"), { ...axis("loss Σ (prediction − data)² (log)"), size: 70 }],
        series: [
          { label: "iteration" },
          { label: "Adam", stroke: ADAM, width: 2, value: (_u, v) => (v == null ? "—" : v.toPrecision(6)) },
          {
            label: "L-BFGS",
            stroke: LBFGS,
            width: 2,
            value: (_u, v) => (v == null ? "—" : v.toPrecision(6)),
          },
        ],
      },
      [[], [], []],
      el,
    );
    fitWidth(el, () => this.chart);
  }

  clear(): void {
    this.x.length = 0;
    this.adam.length = 0;
    this.lbfgs.length = 0;
    this.chart.setData([[], [], []]);
  }

  add(iteration: number, phase: "adam" | "lbfgs", loss: number): void {
    // A log axis has no place for zero, negative or non-finite losses.
    const y = Number.isFinite(loss) && loss > 0 ? loss : null;
    this.x.push(iteration);
    this.adam.push(phase === "adam" ? y : null);
    this.lbfgs.push(phase === "lbfgs" ? y : null);
  }

  /** Redraws (once per animation frame is plenty). */
  draw(): void {
    this.chart.setData([this.x, this.adam, this.lbfgs]);
  }
}

/** x values of several point lists merged (sorted, unique), and each list's values on them (null elsewhere). */
function align(lists: Point[][]): [number[], (number | null)[][]] {
  const xs = [...new Set(lists.flatMap((l) => l.map((p) => p.t)))].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const ys = lists.map((l) => {
    const y: (number | null)[] = new Array(xs.length).fill(null);
    for (const p of l) y[index.get(p.t) as number] = p.u;
    return y;
  });
  return [xs, ys];
}

/** Observed vs predicted for the plotted nodes. Rebuilt when the nodes change, updated otherwise. */
export class FitChart {
  private chart: uPlot | undefined;
  private nodesKey = "";

  /** `legend`: where the node colours and line styles are explained (uPlot's own legend lists all 3 series per node). */
  constructor(
    private readonly el: HTMLElement,
    private readonly legend: HTMLElement,
  ) {
    fitWidth(el, () => this.chart);
  }

  private drawLegend(nodes: number[]): void {
    const item = (html: string) => {
      const span = document.createElement("span");
      span.innerHTML = html;
      return span;
    };
    this.legend.replaceChildren(
      ...nodes.map((node, j) =>
        item(`<i class="swatch" style="background:${nodeColour(j)}"></i>node ${node + 1}`),
      ),
      item('<i class="line solid"></i>now'),
      item('<i class="line dashed"></i>at the start'),
      item('<i class="dot"></i>data'),
    );
  }

  update(fit: FitData): void {
    const key = fit.nodes.join(",");
    const lists = fit.nodes.flatMap((_n, j) => [fit.current[j], fit.start[j], fit.observed[j]]);
    const [xs, ys] = align(lists);
    const data: uPlot.AlignedData = [xs, ...ys];
    if (this.chart !== undefined && key === this.nodesKey) {
      this.chart.setData(data);
      return;
    }
    this.chart?.destroy();
    this.nodesKey = key;
    this.drawLegend(fit.nodes);
    const series: uPlot.Series[] = [{ label: "t" }];
    fit.nodes.forEach((node, j) => {
      const c = nodeColour(j);
      series.push(
        { label: `node ${node + 1}`, stroke: c, width: 2, spanGaps: true },
        {
          label: `node ${node + 1} (start)`,
          stroke: c,
          width: 1.5,
          dash: [6, 4],
          spanGaps: true,
          alpha: 0.7,
        },
        { ...pointsOnly(c, 9), label: `node ${node + 1} (data)` },
      );
    });
    this.chart = new uPlot(
      {
        width: widthOf(this.el),
        height: HEIGHT,
        scales: { x: { time: false } },
        axes: [axis("time t"), { ...axis("state u_i(t)"), size: 60 }],
        series,
        legend: { show: false },
      },
      data,
      this.el,
    );
  }
}

/** Every node's observations over time; the plotted nodes drawn over the rest in their colours. */
export class DataChart {
  private chart: uPlot | undefined;

  constructor(private readonly el: HTMLElement) {
    fitWidth(el, () => this.chart);
  }

  update(times: number[], values: number[][], plotted: number[]): void {
    this.chart?.destroy();
    const order = [...values.keys()].filter((i) => !plotted.includes(i)).concat(plotted);
    const series: uPlot.Series[] = [{ label: "t" }];
    for (const i of order) {
      const j = plotted.indexOf(i);
      series.push(
        j >= 0
          ? { label: `node ${i + 1}`, stroke: nodeColour(j), width: 2.5, points: { show: true, size: 6 } }
          : { label: `node ${i + 1}`, stroke: "rgba(90, 90, 110, 0.22)", width: 1, points: { show: false } },
      );
    }
    this.chart = new uPlot(
      {
        width: widthOf(this.el),
        height: HEIGHT,
        scales: { x: { time: false } },
        axes: [axis("time t"), { ...axis("observed u_i(t)"), size: 60 }],
        series,
        legend: { show: false },
        cursor: { show: false },
      },
      [times, ...order.map((i) => values[i])],
      this.el,
    );
  }
}

/**
 * The diagnostic pictures of a parameter vector, written by `ude train` (for the trained
 * parameters) and `ude predict --plots`: parity.svg, residuals.svg, nodes.svg and, when the model
 * has a net, net-term.svg. Each comes with a title for the report.
 */
import type { Tensor } from "@udekit/autodiff";
import { denseTrajectories, netTermSamples, observationFit } from "./diagnostics.js";
import { RunError } from "./errors.js";
import type { Problem } from "./gradients.js";
import { rhsFor } from "./model.js";
import { netTermPlot } from "./net-term-plot.js";
import { nodesPlot, SMALL_MULTIPLES_MAX } from "./nodes-plot.js";
import { parityPlot } from "./parity-plot.js";
import { residualsPlot } from "./residuals-plot.js";

/** One picture: its file name in the results folder, what it shows, its SVG text. */
export interface PlotFile {
  file: string;
  title: string;
  svg: string;
}

/** The names diagnosticPlots may write (a folder holding any of them holds earlier results). */
export const DIAGNOSTIC_FILES = ["parity.svg", "residuals.svg", "nodes.svg", "net-term.svg"] as const;

/** Where diagnosticPlots says what it could not draw: stderr (progress and notes go there). */
function stderrNote(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * The diagnostic pictures for `vector`. `until` (default: the last observation) is where the
 * dense trajectories of nodes.svg and net-term.svg end; `f` reuses a compiled right-hand side.
 * A forward solve that fails at these parameters (a run stopped by a non-finite loss keeps its
 * starting point) leaves out the pictures that need it, with a note, instead of failing the run
 * whose results are being written.
 */
export async function diagnosticPlots(
  problem: Problem,
  vector: Float64Array,
  options: {
    until?: number;
    f?: (u: Tensor, p: Tensor, t: Tensor) => Tensor;
    note?: (message: string) => void;
  } = {},
): Promise<PlotFile[]> {
  const { obs, params } = problem;
  const f = options.f ?? rhsFor(params);
  const note = options.note ?? stderrNote;
  const tLast = obs.times[obs.times.length - 1];
  const solvedOrNote = <T>(solve: () => T, skipped: string): T | undefined => {
    try {
      return solve();
    } catch (e) {
      if (!(e instanceof RunError)) throw e;
      note(`note: no ${skipped}: ${e.message.replace(/ Fix: .*$/, "")}`);
      return undefined;
    }
  };
  const fit = solvedOrNote(
    () => observationFit(problem, vector, f),
    "diagnostic plots (parity, residuals, nodes, net-term)",
  );
  if (fit === undefined) return [];
  const until = Math.max(options.until ?? tLast, tLast);
  const dense = solvedOrNote(
    () => denseTrajectories(problem, vector, until, f),
    "dense trajectories in nodes.svg and no net-term.svg",
  );
  const model = `${params.kind} model`;
  const n = params.n;
  const plots: PlotFile[] = [];
  const add = async (file: string, title: string, svg: Promise<string>) => {
    plots.push({ file, title, svg: await svg });
  };
  await add(
    "parity.svg",
    `Predicted vs observed, ${model}`,
    parityPlot(fit, `Predicted vs observed, ${model}`),
  );
  await add(
    "residuals.svg",
    `Residuals over time, ${model}`,
    residualsPlot(fit, `Residuals over time, ${model}`),
  );
  const nodesTitle =
    n <= SMALL_MULTIPLES_MAX ? `Fit of every node, ${model}` : `Residuals of every node and time, ${model}`;
  await add("nodes.svg", nodesTitle, nodesPlot(fit, dense, nodesTitle));
  const samples = dense !== undefined ? netTermSamples(problem, vector, dense.raw) : undefined;
  if (samples !== undefined) {
    const title = `Learned term nn(u) against u, ${model}`;
    await add("net-term.svg", title, netTermPlot(samples, title));
  }
  return plots;
}

/**
 * `ude predict`: the trajectories of saved parameters (a results.json) from the observations'
 * initial condition, as CSV in the input layout (one row per node, one column per time, a
 * `t=<time>` header) or as JSON, plus the loss against the observations. The times are the
 * observation times, or a dense grid (--saveat, --saveat-n) that may reach beyond the last
 * observation (extrapolation, said so in every output). --plots draws fit.svg and the diagnostic
 * plots of the saved parameters.
 */
import { writeFileSync } from "node:fs";
import type { SolveOdeInfo } from "@udekit/ode";
import type { Command } from "commander";
import { Option } from "commander";
import { checkMagnitudes, formatCsv, loadObservations, missingLine, userPath } from "../data.js";
import { checkSingleData, collectData } from "../ensemble.js";
import { OptionError, RunError } from "../errors.js";
import { fitLoss, fitTargets } from "../fit.js";
import { formatLoss } from "../format.js";
import type { Problem } from "../gradients.js";
import { checkMemory } from "../memory.js";
import { predict, rhsFor } from "../model.js";
import { parseActivation, parsePositive, parseSolver, parseTolerance } from "../options.js";
import { outDirNote, prepareOutDir } from "../out-dir.js";
import type { NodeTrajectory } from "../plots.js";
import { checkPredictSize } from "../predict-memory.js";
import { loadParamsFile, toJson } from "../results.js";
import { parseSaveat, parseSaveatN, type SaveatRequest } from "../saveat.js";
import { plotNodes, statesAt, trajectories } from "../trajectories.js";
import { preloadPlots } from "./train.js";

interface PredictOptions {
  params: string;
  data?: string;
  times?: string;
  solver: string;
  reltol: string;
  abstol: string;
  dt?: string;
  saveat?: string;
  saveatN?: string;
  until?: string;
  csv?: string;
  out?: string;
  json?: boolean;
  plots?: string;
}

export function addPredictCommand(program: Command): void {
  const cmd = program.command("predict");
  cmd
    .summary("predicted trajectories of saved parameters, as CSV or JSON, on any time grid")
    .description(
      "Solves the saved model (from a results.json written by `ude train` or `ude demo`) from the first column of the data " +
        "(the initial condition) and writes the states at the observation times, or at the times of --saveat / --saveat-n " +
        "(which may go beyond the last observation: extrapolation), as CSV: one row per node, one column per time, with a " +
        "t=<time> header (which `--data` reads back as the times). Prints the loss against the data.",
    )
    .requiredOption("--params <file>", "results.json (or a parameter file) to predict with")
    // Collected like gradient's and train's --data, so a second --data (or a folder) is refused
    // instead of silently replacing the first.
    .option("--data <file>", "observations as CSV (default: the built-in seed data)", collectData(cmd))
    .option("--times <list>", "observation times, comma-separated (default: 1,2,… or a t=… header)")
    .option(
      "--saveat <grid>",
      "times to report: start:step:stop (e.g. 1:0.01:20) or a list (e.g. 1,2.5,10); default: the observation times",
    )
    .option("--saveat-n <N>", "report N evenly spaced times from t₀ to the last observation (or to --until)")
    .option("--until <T>", "end time of --saveat-n (beyond the last observation: extrapolation)")
    .option("--solver <name>", "ODE solver", "Tsit5")
    .option("--reltol <R>", "relative tolerance", "1e-8")
    .option("--abstol <A>", "absolute tolerance", "1e-10")
    .option("--dt <h>", "step size, for fixed-step solvers")
    .option("--csv <file>", "write the CSV to this file (default: print it to stdout)")
    .addOption(new Option("--out <file>", "the former name of --csv").hideHelp())
    .option(
      "--json",
      "print the trajectories as JSON on stdout (times, values per node, loss) instead of the CSV",
    )
    .option(
      "--plots <dir>",
      "also draw fit.svg, parity.svg, residuals.svg, nodes.svg (and net-term.svg) into this folder",
    )
    .addHelpText(
      "after",
      `
Examples:
  pnpm ude predict --params ude-results/results.json                  CSV on stdout, loss on stderr
  pnpm ude predict --params ude-results/results.json --csv predictions.csv
  pnpm ude predict --params ude-results/results.json --saveat 1:0.01:20 --csv dense.csv   beyond t = 4: extrapolated
  pnpm ude predict --params ude-results/results.json --saveat-n 500 --json > trajectories.json
  pnpm ude predict --params runs/1/results.json --data mydata.csv --plots runs/1/predict`,
    )
    .action((o: PredictOptions) => {
      checkSingleData(cmd, "predict");
      return runPredict(o);
    });
}

/** The times asked for (undefined: the observation times), checked before anything is solved. */
function requestedTimes(o: PredictOptions, t0: number, tLast: number): SaveatRequest | undefined {
  if (o.saveat !== undefined && o.saveatN !== undefined) {
    throw new OptionError(
      "--saveat and --saveat-n both say which times to report. Fix: pass one of them (e.g. --saveat 1:0.01:20, or --saveat-n 500 --until 20).",
    );
  }
  if (o.until !== undefined && o.saveatN === undefined) {
    throw new OptionError(
      `--until sets the end of --saveat-n's times, but --saveat-n is missing. Fix: add --saveat-n N (e.g. --saveat-n 500 --until ${o.until}), or end a --saveat grid there.`,
    );
  }
  if (o.saveat !== undefined) return parseSaveat(o.saveat, t0);
  if (o.saveatN !== undefined) return parseSaveatN(o.saveatN, o.until, t0, tLast);
  return undefined;
}

function failed(info: SolveOdeInfo, what: string, beyond = false): RunError {
  const fix = beyond
    ? "predict to an earlier time (beyond the data the model's trajectory may blow up), or try a stiff solver (--solver Rodas4) or looser tolerances"
    : "try a stiff solver (--solver Rodas4) or looser tolerances";
  return new RunError(`the ODE solve for ${what} failed (${info.retcode}: ${info.message}). Fix: ${fix}.`);
}

async function runPredict(o: PredictOptions): Promise<void> {
  if (o.csv !== undefined && o.out !== undefined) {
    throw new OptionError("--out is the former name of --csv; both were given. Fix: pass only --csv FILE.");
  }
  const csvFile = o.csv ?? o.out;
  const params = loadParamsFile(o.params, parseActivation("identity"));
  const obs = loadObservations(o.data, o.times, params.spec);
  const source = o.data ?? "the built-in seed data";
  checkMagnitudes(obs, source, false);
  checkMemory(params.spec, obs.values.length, source, { command: "predict", json: false });
  if (obs.values.length !== params.n) {
    throw new OptionError(
      `the parameters in "${o.params}" are for ${params.n} nodes but ${source} has ${obs.values.length}. Fix: pass the data they were trained on with --data.`,
    );
  }
  const solver = parseSolver(o.solver);
  const dt = o.dt !== undefined ? parsePositive("--dt", o.dt, "0.01") : undefined;
  if (!solver.adaptive && dt === undefined) {
    throw new OptionError(
      `solver ${solver.name} has no step-size control. Fix: pass --dt (e.g. --dt 0.01), or use Tsit5.`,
    );
  }
  const settings = {
    solver,
    reltol: parseTolerance("--reltol", o.reltol, "1e-8"),
    abstol: parseTolerance("--abstol", o.abstol, "1e-10"),
    ...(dt !== undefined ? { dt } : {}),
  };
  const n = params.n;
  const t0 = obs.times[0];
  const tLast = obs.times[obs.times.length - 1];
  const request = requestedTimes(o, t0, tLast);
  // Sizes and the plots folder are checked before anything is solved or allocated.
  checkPredictSize(n, request?.count ?? obs.times.length, request?.option ?? "the observation times");
  const plotsDir = o.plots !== undefined ? prepareOutDir(o.plots, "--plots") : undefined;
  const plotting = plotsDir !== undefined ? preloadPlots() : undefined;

  // The loss at the observation times: the same solve as training's.
  const f = rhsFor(params);
  const info: SolveOdeInfo = {};
  const atObservations = predict(f, params.tensor(), obs, settings, undefined, info);
  if (info.retcode !== "Success") throw failed(info, "the observation times");
  const targets = fitTargets(obs);
  const loss = fitLoss(atObservations, targets.data, targets.train).item();

  const problem: Problem = { obs, params, solve: settings };
  const times = request?.times() ?? obs.times;
  let states = atObservations.data;
  if (request !== undefined) {
    const s = statesAt(problem, params.vector, times, f);
    if (s.info.retcode !== "Success") {
      const beyond = times[times.length - 1] > tLast;
      throw failed(s.info, beyond ? "the times beyond the data" : "the requested times", beyond);
    }
    states = s.states;
  }
  const m = times.length;
  const values = Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, k) => states[k * n + i]));
  const firstBeyond = times.findIndex((t) => t > tLast);
  const beyond = firstBeyond < 0 ? 0 : m - firstBeyond;
  const extrapolation =
    beyond > 0
      ? `${beyond} of the ${m} times (t > ${tLast}, the last observation; from column ${firstBeyond + 1}) are extrapolated beyond the data`
      : undefined;

  if (csvFile !== undefined) {
    const csv = formatCsv(times, values);
    try {
      writeFileSync(userPath(csvFile), extrapolation ? `# ${extrapolation}\n${csv}` : csv);
    } catch (e) {
      throw new OptionError(
        `cannot write "${csvFile}": ${(e as Error).message}. Fix: pass --csv with a writable path.`,
      );
    }
  }
  let plotFiles: string[] = [];
  if (plotsDir !== undefined && plotting !== undefined) {
    const note = outDirNote(plotsDir);
    if (note !== undefined) process.stderr.write(`${note}\n`);
    plotFiles = await writePredictPlots(problem, await plotting, plotsDir.path, {
      until: Math.max(times[m - 1], tLast),
      loss,
    });
  }
  if (o.json) {
    process.stdout.write(
      `${toJson({
        model: params.kind,
        n,
        t0,
        last_observation: tLast,
        times,
        values,
        extrapolated: { count: beyond, from_index: firstBeyond < 0 ? null : firstBeyond },
        loss,
        ...(csvFile !== undefined ? { csv: userPath(csvFile) } : {}),
        ...(plotFiles.length > 0 ? { plots: plotFiles } : {}),
      })}\n`,
    );
    return;
  }
  const missing = missingLine(obs, source);
  const summary = [
    `loss against ${source}: ${loss} (${params.kind} model, n = ${n}, ${obs.times.length} times)`,
    ...(request !== undefined
      ? [`predicted at ${m} times from t = ${times[0]} to ${times[m - 1]} (${request.option})`]
      : []),
    ...(extrapolation !== undefined ? [`note: ${extrapolation}.`] : []),
    ...(missing !== undefined ? [`note: ${missing}`] : []),
  ].join("\n");
  const wrote = [...(csvFile !== undefined ? [userPath(csvFile)] : []), ...plotFiles];
  // The CSV goes to stdout unless --csv names a file; the summary then goes to stderr.
  const toStdout = csvFile === undefined;
  if (toStdout) process.stdout.write(formatCsv(times, values));
  (toStdout ? process.stderr : process.stdout).write(
    `${summary}\n${wrote.map((w) => `wrote ${w}\n`).join("")}`,
  );
}

/** fit.svg (four nodes, up to `until`, the last observation marked) and the diagnostic plots. */
async function writePredictPlots(
  problem: Problem,
  pictures: Awaited<ReturnType<typeof preloadPlots>>,
  dir: string,
  o: { until: number; loss: number },
): Promise<string[]> {
  const { obs, params } = problem;
  const { diagnosticPlots, fitPlot, writePlotFiles } = pictures;
  const tLast = obs.times[obs.times.length - 1];
  const diagnostics = await diagnosticPlots(problem, params.vector, { until: o.until });
  const nodes = plotNodes(params.n);
  const lines = trajectories(problem, params.vector, nodes, undefined, 161, o.until);
  const fitNodes: NodeTrajectory[] = nodes.map((i, j) => ({
    node: i + 1,
    observed: obs.times.map((t, k) => ({ t, u: obs.values[i][k] })),
    after: lines[j],
  }));
  const fit = await fitPlot(
    fitNodes,
    `Observed and predicted, ${params.kind} model: loss ${formatLoss(o.loss)}`,
    o.until > tLast ? { lastObservation: tLast } : {},
  );
  return writePlotFiles(dir, [
    { file: "fit.svg", title: "observed and predicted trajectories", svg: fit },
    ...diagnostics,
  ]);
}

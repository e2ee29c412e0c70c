/**
 * `ude predict`: the trajectories of saved parameters (a results.json) from the observations'
 * initial condition, at the observation times, as CSV in the input layout (one row per node,
 * one column per time, a `t=<time>` header), plus the loss against the observations.
 */
import { writeFileSync } from "node:fs";
import type { SolveOdeInfo } from "@udekit/ode";
import type { Command } from "commander";
import { checkMagnitudes, formatCsv, loadObservations, userPath } from "../data.js";
import { OptionError, RunError } from "../errors.js";
import { checkMemory } from "../memory.js";
import { dataTensor, predict, rhsFor, sumSquares } from "../model.js";
import { parseActivation, parsePositive, parseSolver, parseTolerance } from "../options.js";
import { loadParamsFile, toJson } from "../results.js";

interface PredictOptions {
  params: string;
  data?: string;
  times?: string;
  solver: string;
  reltol: string;
  abstol: string;
  dt?: string;
  out?: string;
  json?: boolean;
}

export function addPredictCommand(program: Command): void {
  program
    .command("predict")
    .summary("predicted trajectories of saved parameters, as CSV")
    .description(
      "Solves the saved model (from a results.json written by `ude train` or `ude demo`) from the first column of the data " +
        "(the initial condition) and writes the states at the observation times as CSV: one row per node, one column per time, " +
        "with a t=<time> header (which `--data` reads back as the times). Prints the loss against the data.",
    )
    .requiredOption("--params <file>", "results.json (or a parameter file) to predict with")
    .option("--data <file>", "observations as CSV (default: the built-in seed data)")
    .option("--times <list>", "observation times, comma-separated (default: 1,2,… or a t=… header)")
    .option("--solver <name>", "ODE solver", "Tsit5")
    .option("--reltol <R>", "relative tolerance", "1e-8")
    .option("--abstol <A>", "absolute tolerance", "1e-10")
    .option("--dt <h>", "step size, for fixed-step solvers")
    .option("--out <file>", "write the CSV to this file (default: print it to stdout)")
    .option("--json", "print a JSON summary (loss, file) instead of the CSV")
    .addHelpText(
      "after",
      `
Examples:
  pnpm ude predict --params ude-results/results.json                  CSV on stdout, loss on stderr
  pnpm ude predict --params ude-results/results.json --out predictions.csv
  pnpm ude predict --params ude-results/results.json --data mydata.csv --times 0,0.5,1,2 --out fit.csv`,
    )
    .action((o: PredictOptions) => runPredict(o));
}

function runPredict(o: PredictOptions): void {
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
  const info: SolveOdeInfo = {};
  const states = predict(rhsFor(params), params.tensor(), obs, settings, undefined, info);
  if (info.retcode !== "Success") {
    throw new RunError(
      `the ODE solve failed (${info.retcode}: ${info.message}). Fix: try a stiff solver (--solver Rodas4) or looser tolerances.`,
    );
  }
  const loss = sumSquares(states, dataTensor(obs)).item();
  const n = params.n;
  const m = obs.times.length;
  const values = Array.from({ length: n }, (_, i) =>
    Array.from({ length: m }, (_, k) => states.data[k * n + i]),
  );
  const csv = formatCsv(obs.times, values);
  if (o.out !== undefined) {
    try {
      writeFileSync(userPath(o.out), csv);
    } catch (e) {
      throw new OptionError(
        `cannot write "${o.out}": ${(e as Error).message}. Fix: pass --out with a writable path.`,
      );
    }
  }
  if (o.json) {
    process.stdout.write(
      `${toJson({ model: params.kind, n, times: obs.times, loss, ...(o.out !== undefined ? { file: userPath(o.out) } : {}) })}\n`,
    );
    return;
  }
  const summary = `loss against ${source}: ${loss} (${params.kind} model, n = ${n}, ${m} times)`;
  if (o.out !== undefined) process.stdout.write(`${summary}\nwrote ${userPath(o.out)}\n`);
  else {
    process.stdout.write(csv);
    process.stderr.write(`${summary}\n`);
  }
}

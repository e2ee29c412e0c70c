/**
 * `ude train`: fits the model to the observations (Adam, then optionally L-BFGS) with a live
 * progress display, stops cleanly on Ctrl-C, and writes the results folder (results.json,
 * loss.svg, fit.svg, report.html). `runTraining` is shared with `ude demo`.
 */
import type { Command } from "commander";
import { OptionError } from "../errors.js";
import { formatLoss, formatSeconds } from "../format.js";
import type { Problem } from "../gradients.js";
import { catchInterrupt } from "../interrupt.js";
import { expmScope, hasClosedForm } from "../model-spec.js";
import {
  METHOD_NAMES,
  type MethodName,
  OPTIMIZER_NAMES,
  parseInteger,
  parseMethod,
  parseOptimizer,
  parsePositive,
} from "../options.js";
import { outDirNote, prepareOutDir } from "../out-dir.js";
import type { NodeTrajectory } from "../plots.js";
import { createProgress } from "../progress.js";
import { reportHtml } from "../report.js";
import {
  type ResultsDocument,
  type RunRecord,
  resultsDocument,
  toJson,
  versions,
  writeResults,
} from "../results.js";
import { auditLine, stopLine, type TrainOutcome, type TrainSettings, train } from "../training.js";
import { plotNodes, trajectories } from "../trajectories.js";
import { addProblemOptions, type ProblemOptions, problemFrom } from "./common.js";

export { plotNodes } from "../trajectories.js";

export interface TrainCliOptions {
  optimizer: string;
  iters: string;
  lbfgsIters: string;
  lr: string;
  timeBudget: string;
  sensealg: string;
  out: string;
  json?: boolean;
}

/** Adds the training options (shared by train and demo). */
export function addTrainOptions(cmd: Command): Command {
  return cmd
    .option("--optimizer <name>", `${OPTIMIZER_NAMES.join(", ")}`, "adam+lbfgs")
    .option("--iters <N>", "Adam iterations (L-BFGS iterations for --optimizer lbfgs)", "300")
    .option("--lbfgs-iters <M>", "L-BFGS iterations after Adam (--optimizer adam+lbfgs)", "100")
    .option("--lr <X>", "Adam's learning rate", "0.01")
    .option("--time-budget <S>", "stop training after this many seconds", "60")
    .option(
      "--sensealg <name>",
      `gradient method: ${METHOD_NAMES.filter((m) => m !== "forward").join(", ")} (forward works but is slow); discrete by default: the exact gradient of the loss being minimised (what L-BFGS's line search needs), about 0.6× the interpolating adjoint's time per gradient on the seed UDE`,
      "discrete",
    )
    .option("--out <dir>", "folder for results.json, loss.svg, fit.svg, report.html", "ude-results")
    .option("--json", "print a JSON summary (and nothing else) to stdout; progress goes to stderr");
}

export function addTrainCommand(program: Command): void {
  const cmd = program
    .command("train")
    .summary("fit the model to the observations and write the results folder")
    .description(
      "Trains the model (default: the UDE, du/dt = nn(u) + A(P)·u) by minimising Σ (prediction − data)² with Adam, then optionally " +
        "L-BFGS, starting from the fixture's parameters (or --params / --seed). Shows a progress bar on a terminal and plain " +
        "progress lines otherwise. Ctrl-C stops after the current iteration and still writes the results; a second Ctrl-C quits at once.",
    );
  addTrainOptions(addProblemOptions(cmd, "ude"))
    .addHelpText(
      "after",
      `
Results folder (--out, default ./ude-results/):
  results.json   settings, versions, loss per iteration, final parameters, timings
  loss.svg       the loss per iteration on a log scale
  fit.svg        observed values and predicted trajectories (before and after training) for four nodes
  report.html    both pictures and the run's summary in one page
The folder is made (and test-written) before training starts. If it already holds an earlier run's results, those
are kept and this run writes to the first free numbered folder beside it (ude-results-2, ude-results-3, …), saying so.

Exit codes: 0 done, 1 no finite loss at the start, 2 bad input, 130 interrupted (results written).

Examples:
  pnpm ude train                                     the UDE on the seed data: 300 + 100 iterations or 60 s
  pnpm ude train --data mydata.csv --times 0,0.5,1,2 --iters 500 --time-budget 300
  pnpm ude train --model linear --sensealg expm --optimizer lbfgs --iters 100
  pnpm ude train --activation tanh --seed 7 --out runs/tanh-7`,
    )
    .action(async (o: ProblemOptions & TrainCliOptions, c: Command) => {
      const note = (m: string) => process.stderr.write(`${m}\n`);
      const problem = await problemFrom(o, c, note, { command: "train", json: true });
      const settings = trainSettingsFrom(o, problem);
      // The results folder is made ready before any work (out-dir.ts).
      const out = prepareOutDir(o.out);
      const moved = outDirNote(out);
      if (moved !== undefined) note(moved);
      const code = await runTraining(problem, settings, {
        out: out.path,
        json: o.json === true,
        command: "train",
        data: o.data ?? "built-in seed data",
        seed: problem.seed,
      });
      process.exitCode = code;
    });
}

export function trainSettingsFrom(o: TrainCliOptions, problem: Problem): TrainSettings {
  const sensealg = parseMethod(o.sensealg, false, "--sensealg") as MethodName;
  if (sensealg === "expm" && !hasClosedForm(problem.params.spec)) {
    throw new OptionError(
      `--sensealg expm applies only to ${expmScope(problem.params.spec)}. Fix: pass --model linear, or another --sensealg such as interpolating.`,
    );
  }
  return {
    optimizer: parseOptimizer(o.optimizer),
    iters: parseInteger("--iters", o.iters, 1, "200"),
    lbfgsIters: parseInteger("--lbfgs-iters", o.lbfgsIters, 0, "50"),
    lr: parsePositive("--lr", o.lr, "0.01"),
    timeBudget: parsePositive("--time-budget", o.timeBudget, "60"),
    sensealg,
  };
}

export interface RunOptions extends RunRecord {
  /** The results folder, made ready by prepareOutDir. */
  out: string;
  json: boolean;
}

/** Trains, writes the results folder, prints the summary; returns the exit code (130 if interrupted). */
let plotsModule: Promise<typeof import("../plots.js")> | undefined;

/** The plotting module (vega: most of the CLI's start-up time, so loaded only by commands that plot). */
export function preloadPlots(): Promise<typeof import("../plots.js")> {
  plotsModule ??= import("../plots.js");
  return plotsModule;
}

export async function runTraining(
  problem: Problem,
  settings: TrainSettings,
  run: RunOptions,
): Promise<number> {
  const stream = run.json ? process.stderr : process.stdout;
  const say = (m: string) => stream.write(`${m}\n`);
  const { params } = problem;
  const start = Float64Array.from(params.vector);
  // Load the plotting module before training (a run always ends with plots, so this costs no
  // extra time): loading it compiles TypeScript through tsx's esbuild service, a child process
  // that a Ctrl-C in the terminal also stops, so a first load after the interrupt failed with
  // "The service is no longer running" (exit 1 instead of 130, results unwritten; seen in CI's
  // 80-column terminal test).
  await preloadPlots();
  const progress = createProgress(stream);
  const interrupt = catchInterrupt(() =>
    progress.note(
      "Interrupted: stopping after the current iteration and writing results (Ctrl-C again quits at once).",
    ),
  );
  say(
    `Training the ${params.kind} model (n = ${params.n}, ${params.vector.length} parameters) with ${settings.optimizer}, ` +
      `gradients by ${settings.sensealg}, budget ${settings.iters}${settings.optimizer === "adam+lbfgs" ? ` + ${settings.lbfgsIters}` : ""} iterations or ${formatSeconds(settings.timeBudget)} …`,
  );
  let outcome: TrainOutcome;
  try {
    outcome = await train(problem, settings, {
      onIteration: (e) => progress.update(e),
      stopRequested: () => interrupt.requested,
    });
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  return saveRun(problem, settings, run, outcome, start);
}

/**
 * Writes the results folder of a run and prints its summary; returns the exit code (130 if
 * interrupted, 1 if the loss was not finite from the start). Without iterations (a demo stopped
 * during its gradient table) there are no pictures: results.json and report.html only.
 */
export async function saveRun(
  problem: Problem,
  settings: TrainSettings,
  run: RunOptions,
  outcome: TrainOutcome,
  start: Float64Array,
): Promise<number> {
  const stream = run.json ? process.stderr : process.stdout;
  const say = (m: string) => stream.write(`${m}\n`);
  const iterations = outcome.history.length;
  const doc = resultsDocument(problem, settings, run, outcome, versions());
  // results.json first: it holds everything computed, and a second Ctrl-C may come any moment.
  const written = writeResults(run.out, { "results.json": doc });
  if (iterations === 0) {
    written.push(...writeResults(run.out, { "report.html": reportHtml(doc, {}, run.table) }));
  } else {
    written.push(...(await writePictures(problem, settings, run, outcome, start, doc)));
  }
  if (run.json) {
    process.stdout.write(
      `${toJson({
        status: outcome.stopReason,
        message: outcome.message,
        iterations,
        initial_loss: outcome.initialLoss,
        final_loss: outcome.bestLoss,
        wall_s: outcome.wall_s,
        gradient_median_ms: outcome.gradient_ms,
        gradient_audits: outcome.audits,
        files: written,
        ...(run.table ? { gradient_table: run.table } : {}),
      })}\n`,
    );
  } else {
    say(iterations > 0 ? stopLine(outcome) : `Stopped (${outcome.stopReason}): ${outcome.message}`);
    if (outcome.audits.length > 0) say(auditLine(outcome.audits));
    say(`Wrote ${written.join(", ")}`);
  }
  if (outcome.stopReason === "gradient audit failed") return 1;
  if (outcome.stopReason === "non-finite loss" && iterations <= 1) return 1;
  return outcome.stopReason === "interrupted" ? 130 : 0;
}

/** loss.svg, fit.svg and report.html with both; returns the paths written. */
async function writePictures(
  problem: Problem,
  settings: TrainSettings,
  run: RunOptions,
  outcome: TrainOutcome,
  start: Float64Array,
  doc: ResultsDocument,
): Promise<string[]> {
  const { params, obs } = problem;
  const { fitPlot, lossPlot } = await preloadPlots();
  const nodes = plotNodes(params.n);
  const before = trajectories(problem, start, nodes);
  const after = trajectories(problem, outcome.best, nodes);
  const fitNodes: NodeTrajectory[] = nodes.map((i, j) => ({
    node: i + 1,
    observed: obs.times.map((t, k) => ({ t, u: obs.values[i][k] })),
    after: after[j],
    before: before[j],
  }));
  const lossSvg = await lossPlot(
    outcome.history,
    `Training loss, ${params.kind} model (${settings.optimizer}, ${settings.sensealg})`,
  );
  const fitSvg = await fitPlot(
    fitNodes,
    `Observed vs predicted, ${params.kind} model: loss ${formatLoss(outcome.initialLoss)} → ${formatLoss(outcome.bestLoss)}`,
  );
  const html = reportHtml(doc, { loss: lossSvg, fit: fitSvg }, run.table);
  return writeResults(run.out, { "loss.svg": lossSvg, "fit.svg": fitSvg, "report.html": html });
}

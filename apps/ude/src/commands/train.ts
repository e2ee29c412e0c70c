/**
 * `ude train`: fits the model to the observations (Adam, then optionally L-BFGS) with a live
 * progress display, stops cleanly on Ctrl-C, and writes the results folder (results.json,
 * loss.svg, fit.svg, the diagnostic plots, report.html). `runTraining` is shared with `ude demo`.
 */
import { constants } from "node:buffer";
import { join } from "node:path";
import type { Command } from "commander";
import { loadWeights } from "../data.js";
import { experimentFiles } from "../ensemble.js";
import { OptionError } from "../errors.js";
import { type FitTargets, fitTargets } from "../fit.js";
import { formatLoss, formatSeconds } from "../format.js";
import type { Problem } from "../gradients.js";
import { heldOut, holdoutLine, parseHoldout } from "../holdout.js";
import {
  catchInterrupt,
  interruptMessage,
  interruptNote,
  outputStream,
  type StopSignal,
  signalExitCode,
  whileSaving,
} from "../interrupt.js";
import { JSON_CHARS_PER_NUMBER } from "../memory.js";
import { expmScope, hasClosedForm } from "../model-spec.js";
import { heldOutTimes } from "../observation-fit.js";
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
  readResume,
  resultsDocument,
  toJson,
  versions,
  writeAtomic,
  writeResults,
} from "../results.js";
import { validationSummary } from "../results-schema.js";
import { resumeNumbers } from "../resume.js";
import { checkSameObjective, resumeOptions } from "../resume-objective.js";
import {
  auditLine,
  checkResume,
  stopLine,
  type TrainOutcome,
  type TrainResume,
  type TrainSettings,
  train,
} from "../training.js";
import { plotNodes, trajectories } from "../trajectories.js";
import { addProblemOptions, type ProblemOptions, problemFrom } from "./common.js";
import { runEnsembleTrain } from "./ensemble.js";

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
  /** The fitting options (train only; addFitOptions). */
  weights?: string;
  holdout?: string;
  l2?: string;
  l1?: string;
  resume?: string;
  checkpointEvery?: string;
}

/**
 * Adds the fitting options of `ude train`: weights, hold-out, regularisation, resume and
 * checkpoints (issue #21, "honest fitting").
 */
export function addFitOptions(cmd: Command): Command {
  return cmd
    .option(
      "--weights <file>",
      "per-observation weights as CSV, the data's shape: each ≥ 0 multiplies its squared residual (empty/NA = 0)",
    )
    .option(
      "--holdout <by:F>",
      "hold out for validation: time:F (the last F of the save times) or nodes:F (a random F of the nodes, by --seed)",
    )
    .option("--l2 <λ>", "add λ·Σθ² over P and the net's weights (not biases) to the loss", "0")
    .option("--l1 <λ>", "add λ·Σ|θ| over P and the net's weights (not biases; subgradient at 0)", "0")
    .option(
      "--resume <file>",
      "continue the run saved in a results.json or checkpoint.json (parameters and optimiser state); --iters counts its iterations",
    )
    .option(
      "--checkpoint-every <N>",
      "write checkpoint.json (a results.json --resume takes) every N iterations",
      "0",
    );
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
      `gradient method: ${METHOD_NAMES.filter((m) => m !== "forward").join(", ")} (forward works but is slow); discrete by default: the exact gradient of the loss being minimised (what L-BFGS's line search needs), about half the interpolating adjoint's time per gradient on the seed UDE`,
      "discrete",
    )
    .option("--out <dir>", "folder for results.json, the pictures (*.svg) and report.html", "ude-results")
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
  addFitOptions(addTrainOptions(addProblemOptions(cmd, "ude")))
    .addHelpText(
      "after",
      `
Results folder (--out, default ./ude-results/):
  results.json   settings, versions, loss per iteration, final parameters, timings
  loss.svg       the loss per iteration on a log scale
  fit.svg        observed values and predicted trajectories (before and after training) for four nodes
  parity.svg     predicted against observed for every observation, with the line y = x
  residuals.svg  predicted − observed over time, every node
  nodes.svg      every node's fit (small panels up to 16 nodes, else a heat map of the residuals)
  net-term.svg   the net's output against its input per block entry (models with a net)
  report.html    every picture and the run's summary in one page
  checkpoint.json  with --checkpoint-every N: the run so far, written atomically every N iterations
The folder is made (and test-written) before training starts. If it already holds an earlier run's results, those
are kept and this run writes to the first free numbered folder beside it (ude-results-2, ude-results-3, …), saying so.

Exit codes: 0 done, 1 no finite loss at the start, 2 bad input; stopped by a signal, results written: 130 Ctrl-C
(SIGINT), 143 SIGTERM, 129 SIGHUP (a closed terminal), 141 stdout closed (\`ude train | head\`; the rest goes to
stderr). A second signal quits at once.

Examples:
  pnpm ude train                                     the UDE on the seed data: 300 + 100 iterations or 60 s
  pnpm ude train --data mydata.csv --times 0,0.5,1,2 --iters 500 --time-budget 300
  pnpm ude train --model linear --sensealg expm --optimizer lbfgs --iters 100
  pnpm ude train --activation tanh --seed 7 --out runs/tanh-7
  pnpm ude train --data mydata.csv --holdout time:0.2 --l2 1e-4 --checkpoint-every 50
  pnpm ude train --resume ude-results/checkpoint.json --iters 600   continue to 600 Adam iterations in all`,
    )
    .option("--workers <N>", "worker threads for several experiments (default: the number of cores)")
    .action(async (o: ProblemOptions & TrainCliOptions, c: Command) => {
      const files = experimentFiles(c);
      if (files !== undefined) return whileSaving(() => runEnsembleTrain(o, c, files));
      const note = (m: string) => process.stderr.write(`${m}\n`);
      if (o.resume !== undefined && o.params !== undefined) {
        throw new OptionError(
          "--resume and --params both say where to start. Fix: pass --resume to continue a run (its parameters and optimiser state), or --params to start a new run from saved parameters.",
        );
      }
      const saved = o.resume !== undefined ? readResume(o.resume) : undefined;
      const resume = saved?.resume;
      // A resumed run minimises the saved run's objective: the options that define it are taken
      // from results.json when left out, and refused when given with other values
      // (resume-objective.ts).
      let taken: string | undefined;
      if (saved !== undefined) {
        const r = resumeOptions(o, c, o.resume as string, saved.objective);
        o = r.options;
        taken = r.taken;
      }
      // A resumed run starts from the saved run's model and parameters, as --params would; train
      // then moves to the saved iterate and restores the optimiser's state.
      const problem = await problemFrom(o.resume !== undefined ? { ...o, params: o.resume } : o, c, note, {
        command: "train",
        json: true,
        method: parseMethod(o.sensealg, false, "--sensealg"),
      });
      const settings = trainSettingsFrom(o, problem);
      problem.fit = fitFrom(o, problem);
      if (saved !== undefined && resume !== undefined) {
        checkSameObjective(
          o.resume as string,
          saved.objective,
          problem.params.spec,
          problem.obs.times,
          problem.fit,
          problem.seed,
        );
        checkResume(settings, resume, problem.params.vector.length);
        // Said once the resume is known to go ahead.
        if (taken !== undefined) note(taken);
      }
      // The results folder is made ready before any work (out-dir.ts).
      const out = prepareOutDir(o.out);
      const moved = outDirNote(out);
      if (moved !== undefined) note(moved);
      const run: RunOptions = {
        out: out.path,
        json: o.json === true,
        command: "train",
        data: o.data ?? "built-in seed data",
        seed: problem.seed,
        extra: fitSettings(o, problem.fit, settings, problem.obs.times),
        ...(resume !== undefined ? { resume, resumeFrom: o.resume } : {}),
      };
      process.exitCode = await whileSaving(() => runTraining(problem, settings, run));
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
    // The fitting options exist on train only (demo has none).
    l2: o.l2 !== undefined ? parsePositive("--l2", o.l2, "1e-4", true) : 0,
    l1: o.l1 !== undefined ? parsePositive("--l1", o.l1, "1e-4", true) : 0,
    checkpointEvery:
      o.checkpointEvery !== undefined ? parseInteger("--checkpoint-every", o.checkpointEvery, 0, "50") : 0,
  };
}

/** What the loss fits: the data with its missing values, --weights and --holdout (fit.ts). */
export function fitFrom(
  o: ProblemOptions & TrainCliOptions,
  problem: Problem & { seed?: number },
): FitTargets {
  const { obs } = problem;
  const source = o.data ?? "the built-in seed data";
  const weights = o.weights !== undefined ? loadWeights(o.weights, obs, source) : undefined;
  const holdout =
    o.holdout !== undefined
      ? heldOut(parseHoldout(o.holdout), obs.values.length, obs.times.length, problem.seed ?? 0)
      : undefined;
  return fitTargets(obs, { ...(weights ? { weights } : {}), ...(holdout ? { holdout } : {}) });
}

/** The fitting settings results.json records. */
function fitSettings(
  o: TrainCliOptions,
  fit: FitTargets,
  settings: TrainSettings,
  times: readonly number[],
): Record<string, unknown> {
  const h = fit.holdout;
  return {
    observations: fit.observations,
    missing_observations: fit.missing,
    ...(o.weights !== undefined ? { weights: o.weights } : {}),
    ...(h !== undefined
      ? {
          holdout: {
            by: h.by,
            fraction: h.fraction,
            // 1-based node numbers (rows), or the held-out save times.
            ...(h.nodes ? { nodes: h.nodes.map((i) => i + 1) } : {}),
            ...(h.columns ? { times: h.columns.map((k) => times[k]) } : {}),
            held_out_values: fit.heldOut,
          },
        }
      : {}),
    l2: settings.l2,
    l1: settings.l1,
    checkpoint_every: settings.checkpointEvery,
    ...(o.resume !== undefined ? { resumed_from: o.resume } : {}),
  };
}

export interface RunOptions extends RunRecord {
  /** The results folder, made ready by prepareOutDir. */
  out: string;
  json: boolean;
  /** The run to continue (--resume) and its file. */
  resume?: TrainResume;
  resumeFrom?: string;
}

let plotsModule: Promise<typeof import("../pictures.js")> | undefined;

/** The plotting module (vega: most of the CLI's start-up time, so loaded only by commands that plot). */
export function preloadPlots(): Promise<typeof import("../pictures.js")> {
  plotsModule ??= import("../pictures.js");
  return plotsModule;
}

/**
 * Trains, writes the results folder, prints the summary; returns the exit code (128 + the
 * signal's number if stopped by Ctrl-C, SIGTERM or SIGHUP: interrupt.ts).
 */
export async function runTraining(
  problem: Problem,
  settings: TrainSettings,
  run: RunOptions,
): Promise<number> {
  const stream = run.json ? process.stderr : process.stdout;
  // stderr once stdout is closed (interrupt.ts: stdoutClosed).
  const say = (m: string) => outputStream(run.json).write(`${m}\n`);
  const { params } = problem;
  const start = Float64Array.from(params.vector);
  // Load the plotting module before training (a run always ends with plots, so this costs no
  // extra time): loading it compiles TypeScript through tsx's esbuild service, a child process
  // that a Ctrl-C in the terminal also stops, so a first load after the interrupt failed with
  // "The service is no longer running" (exit 1 instead of 130, results unwritten; seen in CI's
  // 80-column terminal test).
  await preloadPlots();
  const progress = createProgress(stream);
  const interrupt = catchInterrupt((signal) =>
    signal === "SIGPIPE" ? say(interruptNote(signal)) : progress.note(interruptNote(signal)),
  );
  say(
    `Training the ${params.kind} model (n = ${params.n}, ${params.vector.length} parameters) with ${settings.optimizer}, ` +
      `gradients by ${settings.sensealg}, budget ${settings.iters}${settings.optimizer === "adam+lbfgs" ? ` + ${settings.lbfgsIters}` : ""} iterations or ${formatSeconds(settings.timeBudget)} …`,
  );
  const fit = problem.fit;
  if (fit?.holdout !== undefined) say(holdoutLine(fit.holdout, problem.obs.times));
  if ((settings.l2 ?? 0) > 0 || (settings.l1 ?? 0) > 0) {
    say(
      `Regularisation: λ₂ = ${settings.l2}, λ₁ = ${settings.l1} on P and the net's weights (biases not penalised); the loss shown is data + penalty.`,
    );
  }
  if (run.resume !== undefined) {
    say(
      `Resuming ${run.resumeFrom} after its ${run.resume.history.length} iterations (optimiser state restored).`,
    );
  }
  const every = settings.checkpointEvery ?? 0;
  // Said once: the checkpoints of a problem too large for the resume state have none.
  let noted = false;
  const note = (m: string) => {
    if (!noted) progress.note(m);
    noted = true;
  };
  const runVersions = versions();
  let outcome: TrainOutcome;
  try {
    outcome = await train(
      problem,
      settings,
      {
        onIteration: (e) => progress.update(e),
        stopRequested: () => interrupt.requested,
        ...(every > 0
          ? {
              onCheckpoint: (snapshot: TrainOutcome) =>
                writeAtomic(
                  join(run.out, "checkpoint.json"),
                  `${toJson(fitText(resultsDocument(problem, settings, run, snapshot, runVersions), note), 2)}\n`,
                ),
            }
          : {}),
      },
      run.resume,
    );
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  const signal = interrupt.signal;
  if (outcome.stopReason === "interrupted") outcome = { ...outcome, message: interruptMessage(signal) };
  return saveRun(problem, settings, run, outcome, start, signal);
}

/**
 * Writes the results folder of a run and prints its summary; returns the exit code (128 + the
 * number of `signal` if interrupted: 130 for Ctrl-C, 1 if the loss was not finite from the start). Without iterations (a demo stopped
 * during its gradient table) there are no pictures: results.json and report.html only.
 */
export async function saveRun(
  problem: Problem,
  settings: TrainSettings,
  run: RunOptions,
  outcome: TrainOutcome,
  start: Float64Array,
  signal?: StopSignal,
): Promise<number> {
  const say = (m: string) => outputStream(run.json).write(`${m}\n`);
  const iterations = outcome.history.length;
  const doc = fitText(resultsDocument(problem, settings, run, outcome, versions()), say);
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
        ...(doc.training.final_penalty !== undefined
          ? { final_data_loss: doc.training.final_data_loss, final_penalty: doc.training.final_penalty }
          : {}),
        ...(doc.training.validation !== undefined ? { validation: doc.training.validation } : {}),
        files: written,
        ...(run.table ? { gradient_table: run.table } : {}),
      })}\n`,
    );
  } else {
    say(iterations > 0 ? stopLine(outcome) : `Stopped (${outcome.stopReason}): ${outcome.message}`);
    if (outcome.audits.length > 0) say(auditLine(outcome.audits));
    const v = validationSummary(outcome, problem.fit?.heldOut ?? 0);
    if (v !== undefined) {
      say(
        `Validation loss (${v.held_out} held-out values): ${formatLoss(v.first)} → ${formatLoss(v.at_best)} at the best parameters; lowest ${formatLoss(v.lowest)} at iteration ${v.lowest_iteration}.`,
      );
    }
    say(`Wrote ${written.join(", ")}`);
  }
  if (outcome.stopReason === "gradient audit failed") return 1;
  if (outcome.stopReason === "non-finite loss" && iterations <= 1) return 1;
  return outcome.stopReason === "interrupted" ? signalExitCode(signal) : 0;
}

/**
 * The document without its resume section when that would not fit in one JavaScript string
 * (JSON_CHARS_PER_NUMBER characters a number, memory.ts; L-BFGS's state is 24 copies of the
 * parameter vector), saying so: memory.ts's size check covers P alone.
 */
export function fitText(
  doc: ResultsDocument,
  say: (m: string) => void,
  maxChars: number = constants.MAX_STRING_LENGTH,
): ResultsDocument {
  if (doc.resume === undefined) return doc;
  const numbers = resumeNumbers(doc.resume) + (doc.settings.parameters as number);
  if (JSON_CHARS_PER_NUMBER * numbers <= maxChars) return doc;
  say(
    `note: results.json keeps no resume state: its ${numbers.toExponential(1)} numbers would not fit in one JSON text; --resume cannot continue this run (--params can start from its parameters).`,
  );
  const { resume: _dropped, ...rest } = doc;
  return rest;
}

/** loss.svg, fit.svg, the diagnostic plots (pictures.ts) and report.html with all; returns the paths written. */
async function writePictures(
  problem: Problem,
  settings: TrainSettings,
  run: RunOptions,
  outcome: TrainOutcome,
  start: Float64Array,
  doc: ResultsDocument,
): Promise<string[]> {
  const { params, obs } = problem;
  const { diagnosticPlots, fitPlot, lossPlot, writePlotFiles } = await preloadPlots();
  const nodes = plotNodes(params.n);
  const before = trajectories(problem, start, nodes);
  const after = trajectories(problem, outcome.best, nodes);
  const holdout = problem.fit?.holdout;
  const fitNodes: NodeTrajectory[] = nodes.map((i, j) => ({
    node: i + 1,
    observed: obs.times.map((t, k) => ({ t, u: obs.values[i][k] })),
    after: after[j],
    before: before[j],
    ...(holdout !== undefined ? { heldOut: heldOutTimes(holdout, i, obs.times) } : {}),
  }));
  const lossSvg = await lossPlot(
    outcome.history,
    `Training loss, ${params.kind} model (${settings.optimizer}, ${settings.sensealg})`,
    // What the curve sums (--weights is recorded in the run's extra settings).
    { weighted: run.extra?.weights !== undefined, l2: settings.l2, l1: settings.l1 },
  );
  const fitSvg = await fitPlot(
    fitNodes,
    `Observed vs predicted, ${params.kind} model: loss ${formatLoss(outcome.initialLoss)} → ${formatLoss(outcome.bestLoss)}`,
  );
  const diagnostics = await diagnosticPlots(problem, outcome.best);
  const html = reportHtml(doc, { loss: lossSvg, fit: fitSvg, diagnostics }, run.table);
  return [
    ...writeResults(run.out, { "loss.svg": lossSvg, "fit.svg": fitSvg }),
    ...writePlotFiles(run.out, diagnostics),
    ...writeResults(run.out, { "report.html": html }),
  ];
}

/**
 * `ude gradient` and `ude train` on several experiments (--data repeated, or a folder of CSVs):
 * the loss summed over experiments and its gradient from the @udekit/ensemble pool (--workers
 * threads), with each experiment's fit reported.
 */
import { Adam, LBFGS, NonFiniteGradientError } from "@udekit/nn";
import type { Command } from "commander";
import {
  checkEnsembleMethod,
  evaluateEnsemble,
  experimentFit,
  experimentLines,
  loadExperiments,
  parseWorkers,
  startPool,
} from "../ensemble.js";
import { OptionError } from "../errors.js";
import { formatMs, solveSettingsLabel } from "../format.js";
import { median, norm2 } from "../gradients.js";
import {
  catchInterrupt,
  interruptMessage,
  interruptNote,
  outputStream,
  signalExitCode,
} from "../interrupt.js";
import { rawViews } from "../model.js";
import { type MethodName, parseInteger, parseOptimizer, parsePositive } from "../options.js";
import { outDirNote, prepareOutDir } from "../out-dir.js";
import { reportHtml } from "../report.js";
import { resultsDocument, toJson, versions, writeResults } from "../results.js";
import { activationSetting } from "../results-schema.js";
import {
  type IterationRecord,
  type StopReason,
  stopLine,
  type TrainOutcome,
  type TrainSettings,
} from "../training.js";
import { type ProblemOptions, problemFrom } from "./common.js";

export interface EnsembleGradientOptions extends ProblemOptions {
  method: string;
  repeat: string;
  json?: boolean;
  workers?: string;
}

/** `ude gradient` with several experiments. */
export async function runEnsembleGradient(
  o: EnsembleGradientOptions,
  cmd: Command,
  files: readonly string[],
): Promise<void> {
  const note = (m: string) => process.stderr.write(`${m}\n`);
  checkEnsembleMethod(o.method, "--method");
  const workers = parseWorkers(o.workers);
  const repeat = parseInteger("--repeat", o.repeat, 1, "5", 1000);
  const experiments = await loadExperiments(cmd, files, (file) =>
    problemFrom({ ...o, data: file }, cmd, note, {
      command: "gradient",
      json: o.json === true,
      method: o.method,
    }),
  );
  const problem = experiments[0].problem;
  const { params, solve } = problem;
  const pool = startPool(problem, experiments, workers, o.method);
  try {
    // One untimed warm-up (workers compile the right-hand side), then `repeat` timed evaluations.
    let r = await evaluateEnsemble(pool, params.vector, experiments);
    const ms: number[] = [];
    for (let k = 0; k < repeat; k++) {
      const t0 = performance.now();
      r = await evaluateEnsemble(pool, params.vector, experiments);
      ms.push(performance.now() - t0);
    }
    const timing = { median_ms: median(ms), min_ms: Math.min(...ms), max_ms: Math.max(...ms), repeat };
    const fits = experiments.map((e, i) => experimentFit(e, r.losses[i]));
    if (o.json) {
      const view = rawViews(params.spec, params.n, r.grad);
      process.stdout.write(
        `${toJson({
          model: params.kind,
          method: o.method,
          n: params.n,
          activation: activationSetting(params.spec),
          solver: solve.solver.name,
          reltol: solve.reltol,
          abstol: solve.abstol,
          workers,
          loss: r.loss,
          grad: {
            ...(params.spec.linear ? { P: view.P() } : {}),
            ...(params.spec.net !== undefined ? { nn: { layers: view.layers() } } : {}),
          },
          experiments: fits,
          timing,
        })}\n`,
      );
      return;
    }
    const lines = [
      `${params.kind} model, n = ${params.n}, ${experiments.length} experiments on ${workers} worker${workers === 1 ? "" : "s"}: ${o.method} (${solveSettingsLabel(solve)})`,
      `  loss (sum)              ${r.loss}`,
      `  gradient 2-norm         ${norm2(r.grad).toExponential(6)}  (${r.grad.length} parameters)`,
      `  time per gradient       ${formatMs(timing.median_ms)} median of ${repeat} (min ${formatMs(timing.min_ms)}, max ${formatMs(timing.max_ms)})`,
      "  per experiment:",
      ...experimentLines(experiments, r.losses),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await pool.close();
  }
}

export interface EnsembleTrainOptions extends ProblemOptions {
  optimizer: string;
  iters: string;
  lbfgsIters: string;
  lr: string;
  timeBudget: string;
  sensealg: string;
  out: string;
  json?: boolean;
  workers?: string;
}

/** Options of `ude train` that a several-experiment run does not take (yet), with why. */
const SINGLE_ONLY: [string, string][] = [
  ["weights", "--weights"],
  ["holdout", "--holdout"],
  ["l1", "--l1"],
  ["l2", "--l2"],
  ["resume", "--resume"],
  ["checkpointEvery", "--checkpoint-every"],
];

/** Fraction of the time budget Adam may use when L-BFGS follows it (as in training.ts). */
const ADAM_SHARE = 0.75;

/**
 * `ude train` with several experiments: Adam and/or L-BFGS (as `--optimizer` says, like one
 * experiment) on the loss summed over experiments, each evaluation on the pool (L-BFGS through
 * its asynchronous steps); results.json records the run as `ude train` does, plus each
 * experiment's fit (`experiments`: file, loss, RMSE at the best parameters), which report.html
 * lists too.
 */
export async function runEnsembleTrain(
  o: EnsembleTrainOptions,
  cmd: Command,
  files: readonly string[],
): Promise<void> {
  for (const [key, flag] of SINGLE_ONLY) {
    if (cmd.getOptionValueSource(key) === "cli") {
      throw new OptionError(
        `${flag} applies to one experiment; training on ${files.length} experiments takes the model, solver, --iters, --lr, --time-budget, --sensealg, --workers and --out options. Fix: leave out ${flag}, or train on one --data file.`,
      );
    }
  }
  const optimizer = parseOptimizer(o.optimizer);
  checkEnsembleMethod(o.sensealg, "--sensealg");
  const workers = parseWorkers(o.workers);
  const iters = parseInteger("--iters", o.iters, 1, "200");
  const lbfgsIters = parseInteger("--lbfgs-iters", o.lbfgsIters, 0, "50");
  const adamIters = optimizer === "lbfgs" ? 0 : iters;
  const lbfgsBudget = optimizer === "lbfgs" ? iters : optimizer === "adam+lbfgs" ? lbfgsIters : 0;
  const lr = parsePositive("--lr", o.lr, "0.01");
  const timeBudget = parsePositive("--time-budget", o.timeBudget, "60");
  // stderr once stdout is closed (interrupt.ts: stdoutClosed).
  const log = (m: string) => outputStream(o.json === true).write(`${m}\n`);
  const experiments = await loadExperiments(cmd, files, (file) =>
    problemFrom({ ...o, data: file }, cmd, (m) => process.stderr.write(`${m}\n`), {
      command: "train",
      json: true,
      method: o.sensealg,
    }),
  );
  const problem = experiments[0].problem;
  const out = prepareOutDir(o.out);
  const moved = outDirNote(out);
  if (moved !== undefined) process.stderr.write(`${moved}\n`);
  const x = problem.params.vector;
  const settings: TrainSettings = {
    optimizer,
    iters,
    lbfgsIters: optimizer === "adam+lbfgs" ? lbfgsIters : 0,
    lr,
    timeBudget,
    sensealg: o.sensealg as MethodName,
  };
  const plan = [
    adamIters > 0 ? `Adam, lr ${lr}, ${adamIters} iterations` : "",
    lbfgsBudget > 0 ? `L-BFGS, ${lbfgsBudget} iterations` : "",
  ]
    .filter((x) => x !== "")
    .join(", then ");
  log(
    `Training the ${problem.params.kind} model on ${experiments.length} experiments with ${workers} worker${workers === 1 ? "" : "s"} (${plan}; at most ${timeBudget} s) …`,
  );
  // Ctrl-C, SIGTERM and SIGHUP stop after the current iteration and still write the results
  // (exit 130, 143, 129), as with one experiment (interrupt.ts); a second signal quits at once.
  // The handlers run while the main thread awaits the workers, so the evaluation in progress
  // finishes first.
  const interrupt = catchInterrupt((signal) => log(interruptNote(signal)));
  const pool = startPool(problem, experiments, workers, o.sensealg);
  const history: IterationRecord[] = [];
  const evalMs: number[] = [];
  const best = Float64Array.from(x);
  let bestLoss = Number.POSITIVE_INFINITY;
  let initialLoss = Number.NaN;
  let stopReason: StopReason = "completed";
  let message = "";
  const start = performance.now();
  const elapsed = () => (performance.now() - start) / 1000;
  let finalLosses: Float64Array;
  /** The summed loss and gradient at `at` on the pool; every evaluation counts towards the best. */
  const evaluate = async (at: Float64Array) => {
    const t0 = performance.now();
    const r = await evaluateEnsemble(pool, at, experiments);
    evalMs.push(performance.now() - t0);
    if (Number.isNaN(initialLoss)) initialLoss = r.loss;
    if (r.loss < bestLoss) {
      bestLoss = r.loss;
      best.set(at);
    }
    return r;
  };
  const record = (phase: "adam" | "lbfgs", loss: number, of: number) => {
    const it = history.length + 1;
    history.push({ iteration: it, phase, loss, elapsed_s: elapsed() });
    const k = history.filter((h) => h.phase === phase).length;
    if (k === 1 || k % 10 === 0 || k === of)
      log(
        `  ${phase === "adam" ? "Adam" : "L-BFGS"} ${k}/${of}  loss ${loss.toExponential(6)}  ${elapsed().toFixed(1)} s`,
      );
  };
  try {
    const opt = Adam({ eta: lr });
    const state = opt.init(x);
    for (let it = 1; it <= adamIters; it++) {
      const r = await evaluate(x);
      if (!Number.isFinite(r.loss)) {
        stopReason = "non-finite loss";
        message = `the summed loss is ${r.loss} at iteration ${it}; lower --lr or check the data`;
        break;
      }
      record("adam", r.loss, adamIters);
      opt.update(state, x, r.grad);
      if (interrupt.requested) {
        stopReason = "interrupted";
        break;
      }
      if (elapsed() > (lbfgsBudget > 0 ? ADAM_SHARE : 1) * timeBudget) {
        if (lbfgsBudget === 0) stopReason = "time budget";
        break;
      }
    }
    if (stopReason === "completed" && lbfgsBudget > 0) {
      // Start from the best point Adam reached (its last step may have gone uphill).
      if (bestLoss < Number.POSITIVE_INFINITY) x.set(best);
      const lbfgs = LBFGS({ maxIterations: lbfgsBudget, gtol: 1e-10 });
      const fg = async (at: Float64Array, g: Float64Array) => {
        const r = await evaluate(at);
        g.set(r.grad);
        return r.loss;
      };
      try {
        const st = await lbfgs.initAsync(x, fg);
        for (let k = 0; k < lbfgsBudget; k++) {
          const retcode = await lbfgs.stepAsync(st, fg);
          record("lbfgs", st.f, lbfgsBudget);
          if (interrupt.requested) {
            stopReason = "interrupted";
            break;
          }
          if (retcode === "Success" || retcode === "Failure") {
            stopReason = "converged";
            message =
              retcode === "Success"
                ? "the gradient norm fell below L-BFGS's tolerance."
                : "L-BFGS's line search found no further decrease, a local minimum at this solver tolerance.";
            break;
          }
          if (elapsed() > timeBudget) {
            stopReason = "time budget";
            break;
          }
        }
      } catch (e) {
        if (!(e instanceof NonFiniteGradientError)) throw e;
        stopReason = "non-finite loss";
        message =
          "the summed loss or its gradient is not finite where L-BFGS started; lower --lr or check the data";
      }
    }
    x.set(best);
    finalLosses = (await evaluateEnsemble(pool, x, experiments)).losses;
  } finally {
    interrupt.dispose();
    await pool.close();
  }
  if (stopReason === "interrupted") message = interruptMessage(interrupt.signal);
  const fits = experiments.map((e, i) => experimentFit(e, finalLosses[i]));
  const outcome: TrainOutcome = {
    initialLoss,
    bestLoss,
    best: Float64Array.from(best),
    history,
    stopReason,
    message,
    wall_s: elapsed(),
    gradient_ms: median(evalMs),
    evaluations: evalMs.length + 1,
    audits: [],
  };
  const doc = {
    ...resultsDocument(
      problem,
      settings,
      {
        command: "train",
        data: files.join(", "),
        ...(problem.seed !== undefined ? { seed: problem.seed } : {}),
        extra: { workers, experiments: files.length },
      },
      outcome,
      versions(),
    ),
    experiments: fits,
  };
  const rows = fits
    .map(
      (f, i) =>
        `<tr><td>${i + 1}</td><td>${escapeHtml(f.file)}</td><td>${f.loss.toExponential(4)}</td><td>${f.rmse.toExponential(3)}</td></tr>`,
    )
    .join("");
  const table = `<h2>Fit per experiment (at the best parameters)</h2><table><tr><th>#</th><th>data</th><th>loss</th><th>RMSE</th></tr>${rows}</table>`;
  const html = reportHtml(doc, {}, undefined).replace("</body>", `${table}</body>`);
  const written = writeResults(out.path, { "results.json": doc, "report.html": html });
  if (o.json) {
    process.stdout.write(
      `${toJson({ status: stopReason, initial_loss: initialLoss, final_loss: bestLoss, workers, experiments: fits, files: written })}\n`,
    );
  } else {
    log(stopLine(outcome));
    log("Fit per experiment (at the best parameters):");
    for (const line of experimentLines(experiments, finalLosses)) log(line);
    log(`Wrote ${written.join(", ")}`);
  }
  process.exitCode =
    stopReason === "interrupted" ? signalExitCode(interrupt.signal) : Number.isFinite(bestLoss) ? 0 : 1;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * `ude demo`: the main job, on the built-in seed data —
 * 1. the linear model's loss and gradient by every method, as a table (forward mode measured on
 *    leading blocks only, and said so: it is not run at n = 100);
 * 2. training of the UDE (blockwise net + connectivity) within the time budget (60 s), with progress;
 * 3. the results folder with the table in report.html.
 */
import type { Command } from "commander";
import { loadSeed, seedObservations } from "../data.js";
import type { Problem } from "../gradients.js";
import { catchInterrupt, type StopSignal, signalName } from "../interrupt.js";
import { makeParams } from "../model.js";
import { parseActivation, parseInteger, parseIntegerList, parseSolver, parseTolerance } from "../options.js";
import { outDirNote, prepareOutDir } from "../out-dir.js";
import { formatTable } from "../table.js";
import type { TrainOutcome } from "../training.js";
import { type Comparison, compareMethods } from "./gradient.js";
import {
  addTrainOptions,
  preloadPlots,
  runTraining,
  saveRun,
  type TrainCliOptions,
  trainSettingsFrom,
} from "./train.js";

interface DemoOptions extends TrainCliOptions {
  activation: string;
  repeat: string;
  forwardSizes?: string;
  solver: string;
  reltol: string;
  abstol: string;
}

/** The outcome recorded when the demo was stopped before training began. */
function notTrained(problem: Problem, signal: StopSignal | undefined): TrainOutcome {
  return {
    initialLoss: Number.NaN,
    bestLoss: Number.NaN,
    best: Float64Array.from(problem.params.vector),
    history: [],
    stopReason: "interrupted",
    message: `${signalName(signal)} during the gradient table, before training; the table holds the methods measured so far and the parameters are the starting ones.`,
    wall_s: 0,
    gradient_ms: Number.NaN,
    audits: [],
    evaluations: 0,
  };
}

export function addDemoCommand(program: Command): void {
  const cmd = program
    .command("demo")
    .summary("the whole story on the seed data: every gradient method, UDE training, results folder")
    .description(
      "On the built-in seed data (100 nodes, t = 1, 2, 3, 4): (1) the linear model's loss and gradient by every method as a table " +
        "(ForwardSensitivity measured on smaller leading blocks only, not at n = 100), (2) training of the UDE (at most " +
        "--iters + --lbfgs-iters iterations or --time-budget seconds) with a progress display, (3) the results folder " +
        "(results.json, loss.svg, fit.svg, the diagnostic plots parity.svg, residuals.svg, nodes.svg, net-term.svg, report.html with the table).",
    )
    .option("--activation <name>", "activation of the UDE net's hidden layer: identity or tanh", "identity")
    .option("--repeat <K>", "timed repetitions per gradient method", "3")
    .option("--forward-sizes <list>", "leading-block sizes on which forward mode runs", "16,24,32,40")
    .option("--solver <name>", "ODE solver", "Tsit5")
    .option("--reltol <R>", "relative tolerance of the ODE solves", "1e-6")
    .option("--abstol <A>", "absolute tolerance of the ODE solves", "1e-8");
  addTrainOptions(cmd)
    .addHelpText(
      "after",
      `
Examples:
  pnpm ude demo                                         the table, then at most 300 + 100 iterations or 60 s of training
  pnpm ude demo --iters 20 --lbfgs-iters 5 --repeat 1   a quick look
  pnpm ude demo --activation tanh --out demo-tanh
Ctrl-C during the table stops it after the current gradient run and writes the rows measured so far (exit code 130;
SIGTERM and SIGHUP likewise, exit codes 143 and 129).`,
    )
    .action(async (o: DemoOptions) => {
      const activation = parseActivation(o.activation);
      const repeat = parseInteger("--repeat", o.repeat, 1, "3", 1000);
      const forwardSizes = parseIntegerList(
        "--forward-sizes",
        o.forwardSizes ?? "16,24,32,40",
        2,
        "16,24,32,40",
      );
      const solve = {
        solver: parseSolver(o.solver),
        reltol: parseTolerance("--reltol", o.reltol, "1e-6"),
        abstol: parseTolerance("--abstol", o.abstol, "1e-8"),
      };
      const seed = loadSeed();
      const obs = seedObservations();
      const linear: Problem = { obs, params: makeParams("linear", seed.connectivity, [], activation), solve };
      const ude: Problem = {
        obs,
        params: makeParams("ude", seed.connectivity, seed.nn.layers, activation),
        solve,
      };
      const settings = trainSettingsFrom(o, ude);
      const say = (m: string) => (o.json ? process.stderr : process.stdout).write(`${m}\n`);
      // The results folder is made ready before any work (out-dir.ts).
      const out = prepareOutDir(o.out);
      const moved = outDirNote(out);
      if (moved !== undefined) process.stderr.write(`${moved}\n`);
      say(
        "udekit demo: the seed problem (100 nodes, observations at t = 1, 2, 3, 4).\n\n" +
          `1. The linear model du/dt = A(P)·u, A(P) = P − diag(P·1): loss and gradient with respect to its ${100 * 100} parameters by every method (${repeat} timed run${repeat === 1 ? "" : "s"} each) …`,
      );
      // Ctrl-C here ends the table after the current gradient run and saves what was measured;
      // saving plots, whose module must be loaded before a Ctrl-C stops tsx's compiler (train.ts).
      await preloadPlots();
      const interrupt = catchInterrupt((signal) =>
        say(
          signal === "SIGINT"
            ? "Interrupted: stopping after the current gradient run and writing the table so far (Ctrl-C again quits at once)."
            : `Interrupted by ${signal}: stopping after the current gradient run and writing the table so far (a second ${signal} quits at once).`,
        ),
      );
      const t0 = performance.now();
      let comparison: Comparison;
      try {
        comparison = await compareMethods(
          linear,
          repeat,
          forwardSizes,
          false,
          say,
          () => interrupt.requested,
        );
      } finally {
        interrupt.dispose();
      }
      const tableSeconds = (performance.now() - t0) / 1000;
      say(`\n${formatTable(comparison.table)}`);
      const run = {
        out: out.path,
        json: o.json === true,
        command: "demo",
        data: "built-in seed data",
        table: comparison.table,
        extra: { gradient_table_s: tableSeconds, gradient_repeat: repeat, forward_sizes: forwardSizes },
      };
      if (comparison.interrupted) {
        process.exitCode = await saveRun(
          ude,
          settings,
          run,
          notTrained(ude, interrupt.signal),
          ude.params.vector,
          interrupt.signal,
        );
        return;
      }
      say(`2. The UDE du/dt = nn(u) + A(P)·u (${ude.params.vector.length} parameters):`);
      process.exitCode = await runTraining(ude, settings, run);
    });
}

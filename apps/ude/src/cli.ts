/**
 * The `ude` command line (commander): gradient, train, predict, demo. Every error the user can
 * fix ends as one line on stderr, `ude: <what was wrong>. Fix: <how>`, with a non-zero exit code
 * (2 for bad input or usage, 1 for a failed computation) and no stack trace.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { addDemoCommand } from "./commands/demo.js";
import { addGradientCommand } from "./commands/gradient.js";
import { addPredictCommand } from "./commands/predict.js";
import { addTrainCommand } from "./commands/train.js";
import { UdeError } from "./errors.js";
import { stdoutClosed, stopSignalReceived } from "./interrupt.js";

const version = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export function buildProgram(): Command {
  const program = new Command("ude")
    .description(
      "udekit's example app: fit universal differential equations du/dt = nn(u) + A(P)·u (A(P) = P − diag(P·1)) to " +
        "observations of a network, and compare the ways of computing their gradients.\n\n" +
        "Data: CSV with one row per node and one column per observation time (first column = initial condition), " +
        "or the built-in seed data (100 nodes, t = 1, 2, 3, 4) when --data is not given.",
    )
    .version(version, "-V, --version")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .addHelpText(
      "after",
      `
Run \`pnpm ude <command> --help\` for a command's options. \`pnpm ude\` runs this CLI from a clone of the
repository (inside apps/ude, \`node bin/ude.mjs\` does too). Examples:
  pnpm ude demo                                   every gradient method, then UDE training, results in ./ude-results/
  pnpm ude gradient --method all                  the gradient table for the linear model
  pnpm ude gradient --json                        one JSON object: loss, gradient, timing, counts
  pnpm ude train --data mydata.csv --out runs/1   fit the UDE to your own data
  pnpm ude predict --params runs/1/results.json   trajectories of the fitted model as CSV`,
    );
  for (const add of [addDemoCommand, addGradientCommand, addTrainCommand, addPredictCommand]) add(program);
  for (const c of program.commands) c.exitOverride().configureOutput({ outputError: () => {} });
  return program;
}

/** One line for a commander parse error, e.g. an unknown option. */
function commanderLine(err: CommanderError, argv: readonly string[]): string {
  const text = err.message
    .replace(/^error: /, "")
    .split("\n")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .join(" ");
  const command = argv.find((a) => ["demo", "gradient", "train", "predict"].includes(a));
  return `${text}. Fix: see \`ude ${command ? `${command} ` : ""}--help\` for the valid commands and options.`;
}

/** Library errors (typed, with fix-it messages) from the udekit packages. */
function isLibraryError(e: unknown): e is Error {
  if (!(e instanceof Error)) return false;
  let proto = Object.getPrototypeOf(e);
  while (proto && proto !== Error.prototype) {
    const name = proto.constructor?.name as string | undefined;
    if (name && /^(OdeError|AutodiffError|NNError|LinearOdeError)$/.test(name)) return true;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}

/**
 * Runs the CLI on `argv` and returns its exit code: 0, 2 for bad input or usage, 1 for a failed
 * computation, a library error or an internal error. `program` is for tests (a command that throws).
 */
export async function main(argv: readonly string[], program: Command = buildProgram()): Promise<number> {
  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        e.code === "commander.help"
      ) {
        return 0;
      }
      process.stderr.write(`ude: ${commanderLine(e, argv)}\n`);
      return 2;
    }
    if (e instanceof UdeError) {
      process.stderr.write(`ude: ${e.message}\n`);
      return e.exitCode;
    }
    if (isLibraryError(e)) {
      process.stderr.write(`ude: ${e.name}: ${e.message}\n`);
      return 1;
    }
    const err = e as Error;
    process.stderr.write(
      `ude: internal error: ${err?.message ?? String(e)}. Fix: please report it with the command you ran` +
        `${process.env.UDE_DEBUG ? "" : " (set UDE_DEBUG=1 to print the stack trace)"}.\n`,
    );
    if (process.env.UDE_DEBUG) process.stderr.write(`${err?.stack ?? ""}\n`);
    return 1;
  }
}

/** The `ude` process (bin/ude.mjs): main on the command line, its result as the exit code. */
export async function run(): Promise<void> {
  // After SIGHUP (a closed terminal or ssh session) or another stop signal, the terminal or
  // pipe may be gone: writes fail with EIO or EPIPE, which must not end the process before it
  // has saved the run (interrupt.ts).
  //
  // A closed stdout (EPIPE: `ude train | head`) during training stops the run after the current
  // iteration and saves it, exit code 141, like a stop signal (interrupt.ts: stdoutClosed). A
  // Unix tool whose reader is gone stops (`git log | head`), and so does this one: continuing
  // would hold the shell, which waits for every process of a pipeline, for the whole time
  // budget after head printed its lines. But a training run's product is its results folder,
  // not its stdout, so it is saved, as on Ctrl-C; the exit code says the run was cut short
  // (`set -o pipefail` sees it). Otherwise (`ude gradient --json | head`: stdout is the
  // product, nothing to save) a closed pipe ends the process quietly.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE" && stdoutClosed()) return;
    if (stopSignalReceived() !== undefined) return;
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  process.stderr.on("error", (e: NodeJS.ErrnoException) => {
    if (stopSignalReceived() !== undefined) return;
    throw e;
  });
  process.exitCode = await main(process.argv.slice(2));
}

/**
 * `ude gradient`: the loss and its gradient with respect to every parameter, by one method or
 * all of them, timed; as text or as one JSON object (--json).
 */
import type { Command } from "commander";
import { compareMethods, FORWARD_FULL_LIMIT } from "../compare.js";
import { experimentFiles } from "../ensemble.js";
import { OptionError, RunError } from "../errors.js";
import { formatMs, solveSettingsLabel } from "../format.js";
import {
  defaultForwardSizes,
  forwardBlocks,
  type GradientResult,
  METHOD_LABELS,
  measureGradient,
  norm2,
  type Problem,
  relativeDifference,
} from "../gradients.js";
import { rawViews } from "../model.js";
import { hasClosedForm } from "../model-spec.js";
import { METHOD_NAMES, type MethodName, parseInteger, parseIntegerList, parseMethod } from "../options.js";
import { toJson } from "../results.js";
import { activationSetting } from "../results-schema.js";
import { formatTable, forwardRow } from "../table.js";
import { addProblemOptions, type ProblemOptions, problemFrom } from "./common.js";
import { runEnsembleGradient } from "./ensemble.js";

export { type Comparison, compareMethods, FORWARD_FULL_LIMIT } from "../compare.js";

export interface GradientOptions extends ProblemOptions {
  method: string;
  repeat: string;
  json?: boolean;
  forwardSizes?: string;
  forwardFull?: boolean;
  workers?: string;
}

export function addGradientCommand(program: Command): void {
  const cmd = program
    .command("gradient")
    .summary("loss and gradient by one sensitivity method, or all of them side by side")
    .description(
      "Computes the loss Σ (prediction − data)² and its gradient with respect to every parameter (P, and the net for --model ude), " +
        "timing each method. Methods: interpolating, interpolating-checkpointed, quadrature, discrete, backsolve, direct, expm (linear model only), " +
        `forward (O(n·p): when n > ${FORWARD_FULL_LIMIT} run only on leading blocks of the problem, unless --forward-full), or all. ` +
        "Runs of 10 s or more print a progress line each (on stderr with --json).",
    );
  addProblemOptions(cmd, "linear")
    .option("--method <name>", `${METHOD_NAMES.join(", ")}, or all`, "interpolating")
    .option(
      "--repeat <K>",
      "timed repetitions per method, after one untimed warm-up (a warm-up of 10 s or more is timed and counts as the first)",
      "5",
    )
    .option(
      "--forward-sizes <list>",
      "leading-block sizes on which forward mode runs when n is large (default 16,24,32,40 for n = 100)",
    )
    .option("--forward-full", "run forward sensitivities at the full size (slow at n = 100)")
    .option("--json", "print one JSON object (and nothing else) to stdout")
    .option("--workers <N>", "worker threads for several experiments (default: the number of cores)")
    .addHelpText(
      "after",
      `
JSON output (--json), one method:
  { "model", "method", "n", "activation", "solver", "reltol", "abstol", "loss",
    "grad": { "P": [[…n rows…]], "nn": { "layers": [{ "weight": [[…]], "bias": […] }, …] } },   (P with the linear part, nn with a net;
       for a "nonnegative" P the gradient is with respect to θ, where P = softplus(θ))
    "timing": { "median_ms", "min_ms", "max_ms", "repeat" },
    "stats": { "retcode", "forward_rhs", "forward_steps", "backward_rhs", "backward_vjp", … },
    "reference": { "method": "expm", "relative_difference" } }                                   (linear model)
    "reference" also holds "difference_norm" ‖g − g_expm‖ and "larger_norm" max(‖g‖, ‖g_expm‖); relative_difference is their ratio.
  --method forward at n > ${FORWARD_FULL_LIMIT} without --forward-full: "ok" false, "grad" null, "not_run" says why,
    "blocks": { "n", "measured": [{ "n", "ms", "forward_rhs" }, …] } holds the leading-block measurements.
  --method all: { "model", "method": "all", …, "reference", "methods": [ …one object per method as above… ],
    "forward_blocks"?, "table": […] }

Examples:
  pnpm ude gradient                              interpolating adjoint, linear model, seed data
  pnpm ude gradient --method all                 every method side by side (the README's table)
  pnpm ude gradient --model ude --activation tanh --method quadrature --json
  pnpm ude gradient --method expm --solver Vern7 --reltol 1e-10 --abstol 1e-12 --json`,
    )
    .action(async (o: GradientOptions, c: Command) => {
      await runGradient(o, c);
    });
}

/** The gradient as P rows and net layers (with respect to θ, the fitted parameter: P itself unless "nonnegative"). */
function gradJson(problem: Problem, grad: Float64Array) {
  const { spec, n } = problem.params;
  const view = rawViews(spec, n, grad);
  return {
    ...(spec.linear ? { P: view.P() } : {}),
    ...(spec.net !== undefined ? { nn: { layers: view.layers() } } : {}),
  };
}

function referenceJson(g: Float64Array, ref: Float64Array) {
  return {
    method: "expm",
    relative_difference: relativeDifference(g, ref),
    difference_norm: norm2(g.map((x, i) => x - ref[i])),
    larger_norm: Math.max(norm2(g), norm2(ref)),
  };
}

function resultJson(problem: Problem, r: GradientResult, ref: Float64Array | undefined) {
  return {
    method: r.method,
    ok: r.ok,
    ...(r.error !== undefined ? { error: r.error } : {}),
    loss: r.loss,
    grad: r.ok ? gradJson(problem, r.grad) : null,
    timing: r.timing,
    stats: r.stats,
    ...(ref !== undefined && r.ok && r.method !== "expm" ? { reference: referenceJson(r.grad, ref) } : {}),
  };
}

function header(problem: Problem) {
  return {
    model: problem.params.kind,
    n: problem.params.n,
    activation: activationSetting(problem.params.spec),
    solver: problem.solve.solver.name,
    reltol: problem.solve.reltol,
    abstol: problem.solve.abstol,
  };
}

/** The reference gradient for the rel. diff column: expm for a model without a net (when available). */
async function referenceGradient(problem: Problem): Promise<GradientResult | undefined> {
  if (!hasClosedForm(problem.params.spec)) return undefined;
  const r = await measureGradient(problem, "expm", 0);
  if (!r.ok) throw new RunError(`the expm reference gradient failed: ${r.error}`);
  return r;
}

async function runGradient(o: GradientOptions, cmd: Command): Promise<void> {
  const files = experimentFiles(cmd);
  if (files !== undefined) return runEnsembleGradient(o, cmd, files);
  const err = (m: string) => process.stderr.write(`${m}\n`);
  const method = parseMethod(o.method, true);
  const problem = await problemFrom(o, cmd, err, { command: "gradient", json: o.json === true, method });
  const repeat = parseInteger("--repeat", o.repeat, 1, "5", 1000);
  const forwardSizes =
    o.forwardSizes !== undefined
      ? parseIntegerList("--forward-sizes", o.forwardSizes, 2, "16,24,32,40")
      : undefined;
  const n = problem.params.n;
  const block = problem.params.spec.net?.block ?? 1;
  if (forwardSizes?.some((k) => k >= n || k % block !== 0)) {
    throw new OptionError(
      `--forward-sizes ${o.forwardSizes}: every size must be below n = ${n}${block > 1 ? ` and a multiple of ${block} (the net's block)` : ""}. Fix: e.g. --forward-sizes 16,24,32,40.`,
    );
  }
  // Progress of long runs (a line per run of 10 s or more) goes to stderr with --json.
  const runLog = (m: string) => (o.json ? process.stderr : process.stdout).write(`${m}\n`);
  if (method === "all") {
    const log = o.json ? () => {} : runLog;
    if (!o.json)
      log(`Computing the gradient by every method (${repeat} timed run${repeat === 1 ? "" : "s"} each) …`);
    const c = await compareMethods(
      problem,
      repeat,
      forwardSizes,
      o.forwardFull === true,
      log,
      undefined,
      runLog,
    );
    if (o.json) {
      const ref = c.reference?.method === "expm" ? c.reference.grad : undefined;
      process.stdout.write(
        `${toJson({
          ...header(problem),
          method: "all",
          reference: c.table.reference,
          methods: c.results.map((r) => resultJson(problem, r, ref)),
          ...(c.forward ? { forward_blocks: c.forward } : {}),
          table: c.table.rows,
        })}\n`,
      );
    } else process.stdout.write(`\n${formatTable(c.table)}`);
    return;
  }
  const single = method as MethodName;
  if (single === "forward" && n > FORWARD_FULL_LIMIT && o.forwardFull !== true) {
    const sizes = forwardSizes ?? defaultForwardSizes(n);
    const blocks = await forwardBlocks(problem, sizes, Math.min(repeat, 2), { log: runLog });
    const row = forwardRow(blocks);
    if (o.json) {
      process.stdout.write(
        `${toJson({ ...header(problem), method: "forward", ok: false, not_run: row.note, loss: null, grad: null, blocks })}\n`,
      );
    } else {
      process.stdout.write(`${formatTable({ ...header(problem), rows: [row] })}`);
    }
    return;
  }
  if (single === "forward" && n > FORWARD_FULL_LIMIT) {
    runLog(
      `${METHOD_LABELS.forward} at n = ${n}: one extra ODE per parameter (${problem.params.vector.length}), so each run is slow; a line follows every run …`,
    );
  }
  const r = await measureGradient(problem, single, repeat, { log: runLog });
  if (!r.ok) throw new RunError(`${METHOD_LABELS[single]} failed: ${r.error}`);
  const ref = single !== "expm" ? await referenceGradient(problem) : undefined;
  if (o.json) {
    process.stdout.write(`${toJson({ ...header(problem), ...resultJson(problem, r, ref?.grad) })}\n`);
    return;
  }
  const t = r.timing;
  const lines = [
    `${problem.params.kind} model, n = ${n}: ${METHOD_LABELS[single]} ${
      single === "expm" ? "(closed form, no time stepping)" : `(${solveSettingsLabel(problem.solve)})`
    }`,
    `  loss                    ${r.loss}`,
    `  gradient 2-norm         ${norm2(r.grad).toExponential(6)}  (${r.grad.length} parameters)`,
    `  time per gradient       ${
      t.repeat === 1
        ? `${formatMs(t.median_ms)} (1 timed run)`
        : `${formatMs(t.median_ms)} median of ${t.repeat} (min ${formatMs(t.min_ms)}, max ${formatMs(t.max_ms)})`
    }`,
    `  counts                  ${Object.entries(r.stats)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  ];
  if (ref !== undefined) {
    const x = referenceJson(r.grad, ref.grad);
    lines.push(
      `  rel. diff to expm       ${x.relative_difference.toExponential(2)}  ` +
        `(‖g − g_expm‖ ${x.difference_norm.toExponential(2)} / max(‖g‖, ‖g_expm‖) ${x.larger_norm.toExponential(2)})`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

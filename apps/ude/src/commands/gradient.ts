/**
 * `ude gradient`: the loss and its gradient with respect to every parameter, by one method or
 * all of them, timed; as text or as one JSON object (--json).
 */
import type { Command } from "commander";
import { OptionError, RunError } from "../errors.js";
import {
  defaultForwardSizes,
  type ForwardExtrapolation,
  forwardExtrapolation,
  type GradientResult,
  METHOD_LABELS,
  measureGradient,
  type Problem,
  relativeDifference,
} from "../gradients.js";
import { paramsFromVector } from "../model.js";
import { METHOD_NAMES, type MethodName, parseInteger, parseIntegerList, parseMethod } from "../options.js";
import { toJson } from "../results.js";
import { formatTable, formatTol, forwardRow, type GradientTable, rowOf, type TableRow } from "../table.js";
import { addProblemOptions, type ProblemOptions, problemFrom } from "./common.js";

/** Largest n at which ForwardSensitivity runs at full size by default (beyond: extrapolated). */
export const FORWARD_FULL_LIMIT = 40;

export interface GradientOptions extends ProblemOptions {
  method: string;
  repeat: string;
  json?: boolean;
  forwardSizes?: string;
  forwardFull?: boolean;
}

export function addGradientCommand(program: Command): void {
  const cmd = program
    .command("gradient")
    .summary("loss and gradient by one sensitivity method, or all of them side by side")
    .description(
      "Computes the loss Σ (prediction − data)² and its gradient with respect to every parameter (P, and the net for --model ude), " +
        "timing each method. Methods: interpolating, interpolating-checkpointed, quadrature, backsolve, direct, expm (linear model only), " +
        `forward (O(n·p): measured on leading blocks and extrapolated when n > ${FORWARD_FULL_LIMIT}), or all.`,
    );
  addProblemOptions(cmd, "linear")
    .option("--method <name>", `${METHOD_NAMES.join(", ")}, or all`, "interpolating")
    .option("--repeat <K>", "timed repetitions per method (after one untimed warm-up)", "5")
    .option(
      "--forward-sizes <list>",
      "leading-block sizes for the forward-mode extrapolation (default 16,24,32,40 for n = 100)",
    )
    .option(
      "--forward-full",
      "run forward sensitivities at the full size instead of extrapolating (slow at n = 100)",
    )
    .option("--json", "print one JSON object (and nothing else) to stdout")
    .addHelpText(
      "after",
      `
JSON output (--json), one method:
  { "model", "method", "n", "activation", "solver", "reltol", "abstol", "loss",
    "grad": { "P": [[…n rows…]], "nn": { "layers": [{ "weight": [[…]], "bias": […] }, …] } },   (nn only for --model ude)
    "timing": { "median_ms", "min_ms", "max_ms", "repeat" },
    "stats": { "retcode", "forward_rhs", "forward_steps", "backward_rhs", "backward_vjp", … },
    "reference": { "method": "expm", "relative_difference" } }                                   (linear model)
  --method forward at n > ${FORWARD_FULL_LIMIT} without --forward-full: "grad" is null, "extrapolation" holds the measurements.
  --method all: { "model", "method": "all", …, "reference", "methods": [ …one object per method as above… ], "table": […] }

Examples:
  ude gradient                                   interpolating adjoint, linear model, seed data
  ude gradient --method all                      every method side by side (the README's table)
  ude gradient --model ude --activation tanh --method quadrature --json
  ude gradient --method expm --solver Vern7 --reltol 1e-10 --abstol 1e-12 --json`,
    )
    .action(async (o: GradientOptions, c: Command) => {
      await runGradient(o, c);
    });
}

function gradJson(problem: Problem, grad: Float64Array) {
  const view = paramsFromVector(problem.params.kind, problem.params.n, grad);
  return problem.params.kind === "ude" ? { P: view.P(), nn: { layers: view.layers() } } : { P: view.P() };
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
    ...(ref !== undefined && r.ok && r.method !== "expm"
      ? { reference: { method: "expm", relative_difference: relativeDifference(r.grad, ref) } }
      : {}),
  };
}

function header(problem: Problem) {
  return {
    model: problem.params.kind,
    n: problem.params.n,
    activation: problem.params.activation,
    solver: problem.solve.solver.name,
    reltol: problem.solve.reltol,
    abstol: problem.solve.abstol,
  };
}

/** The reference gradient for the rel. diff column: expm for the linear model (when available). */
function referenceGradient(problem: Problem): GradientResult | undefined {
  if (problem.params.kind !== "linear") return undefined;
  const r = measureGradient(problem, "expm", 0);
  if (!r.ok) throw new RunError(`the expm reference gradient failed: ${r.error}`);
  return r;
}

export interface Comparison {
  table: GradientTable;
  results: GradientResult[];
  forward?: ForwardExtrapolation;
  reference?: GradientResult;
}

/** Every method on one problem (the demo's first part); `log` reports progress. */
export function compareMethods(
  problem: Problem,
  repeat: number,
  forwardSizes: readonly number[] | undefined,
  forwardFull: boolean,
  log: (m: string) => void,
): Comparison {
  const linear = problem.params.kind === "linear";
  const methods = METHOD_NAMES.filter((m) => m !== "forward" && (m !== "expm" || linear));
  const results: GradientResult[] = [];
  let reference: GradientResult | undefined;
  for (const m of methods) {
    log(`  ${METHOD_LABELS[m]} …`);
    const r = measureGradient(problem, m, repeat);
    results.push(r);
    if (m === "expm") reference = r;
  }
  let forward: ForwardExtrapolation | undefined;
  const n = problem.params.n;
  if (forwardFull || n <= FORWARD_FULL_LIMIT) {
    log(`  ${METHOD_LABELS.forward} (n = ${n}) …`);
    results.push(measureGradient(problem, "forward", Math.min(repeat, 3)));
  } else {
    const sizes = forwardSizes ?? defaultForwardSizes(n);
    log(
      `  ${METHOD_LABELS.forward} on leading blocks of ${sizes.join(", ")} nodes (extrapolated to n = ${n}) …`,
    );
    forward = forwardExtrapolation(problem, sizes, Math.min(repeat, 2));
  }
  if (reference === undefined && !linear) {
    // The UDE has no closed form: compare with the interpolating adjoint at tight tolerances.
    log("  reference: InterpolatingAdjoint at reltol 1e-10, abstol 1e-12 …");
    const tight = { ...problem, solve: { ...problem.solve, reltol: 1e-10, abstol: 1e-12 } };
    reference = measureGradient(tight, "interpolating", 0);
  }
  const ref = reference?.ok ? reference.grad : undefined;
  const rows: TableRow[] = results.map((r) => rowOf(r, ref));
  if (forward !== undefined) rows.push(forwardRow(forward));
  const table: GradientTable = {
    model: problem.params.kind,
    n,
    solver: problem.solve.solver.name,
    reltol: problem.solve.reltol,
    abstol: problem.solve.abstol,
    reference: linear ? "the expm route" : "InterpolatingAdjoint at reltol 1e-10, abstol 1e-12",
    rows,
  };
  return { table, results, ...(forward ? { forward } : {}), ...(reference ? { reference } : {}) };
}

async function runGradient(o: GradientOptions, cmd: Command): Promise<void> {
  const err = (m: string) => process.stderr.write(`${m}\n`);
  const problem = problemFrom(o, cmd, err);
  const method = parseMethod(o.method, true);
  const repeat = parseInteger("--repeat", o.repeat, 1, "5", 1000);
  const forwardSizes =
    o.forwardSizes !== undefined
      ? parseIntegerList("--forward-sizes", o.forwardSizes, 2, "16,24,32,40")
      : undefined;
  const n = problem.params.n;
  if (forwardSizes?.some((k) => k >= n || (problem.params.kind === "ude" && k % 4 !== 0))) {
    throw new OptionError(
      `--forward-sizes ${o.forwardSizes}: every size must be below n = ${n}${problem.params.kind === "ude" ? " and a multiple of 4" : ""}. Fix: e.g. --forward-sizes 16,24,32,40.`,
    );
  }
  if (forwardSizes !== undefined && new Set(forwardSizes).size < 2) {
    throw new OptionError(
      `--forward-sizes ${o.forwardSizes}: at least two different sizes are needed to fit the cost exponent. Fix: e.g. --forward-sizes 16,24,32,40.`,
    );
  }
  if (method === "expm" && problem.params.kind !== "linear") {
    throw new OptionError(
      "the expm method applies only to the linear model (the UDE's net makes the ODE nonlinear). Fix: pass --model linear, or choose another --method.",
    );
  }
  if (method === "all") {
    const log = o.json ? () => {} : (m: string) => process.stdout.write(`${m}\n`);
    if (!o.json) log(`Computing the gradient by every method (${repeat} timed runs each) …`);
    const c = compareMethods(problem, repeat, forwardSizes, o.forwardFull === true, log);
    if (o.json) {
      const ref = c.reference?.method === "expm" ? c.reference.grad : undefined;
      process.stdout.write(
        `${toJson({
          ...header(problem),
          method: "all",
          reference: c.table.reference,
          methods: c.results.map((r) => resultJson(problem, r, ref)),
          ...(c.forward ? { forward_extrapolation: c.forward } : {}),
          table: c.table.rows,
        })}\n`,
      );
    } else process.stdout.write(`\n${formatTable(c.table)}`);
    return;
  }
  const single = method as MethodName;
  if (single === "forward" && n > FORWARD_FULL_LIMIT && o.forwardFull !== true) {
    const sizes = forwardSizes ?? defaultForwardSizes(n);
    const x = forwardExtrapolation(problem, sizes, Math.min(repeat, 2));
    if (o.json) {
      process.stdout.write(
        `${toJson({ ...header(problem), method: "forward", loss: null, grad: null, extrapolation: x, timing: { median_ms: x.extrapolated_ms, extrapolated: true } })}\n`,
      );
    } else {
      process.stdout.write(`${formatTable({ ...header(problem), reference: "—", rows: [forwardRow(x)] })}`);
    }
    return;
  }
  const r = measureGradient(problem, single, repeat);
  if (!r.ok) throw new RunError(`${METHOD_LABELS[single]} failed: ${r.error}`);
  const ref = single !== "expm" ? referenceGradient(problem) : undefined;
  if (o.json) {
    process.stdout.write(`${toJson({ ...header(problem), ...resultJson(problem, r, ref?.grad) })}\n`);
    return;
  }
  let gnorm = 0;
  for (const v of r.grad) gnorm += v * v;
  const lines = [
    `${problem.params.kind} model, n = ${n}: ${METHOD_LABELS[single]} ${
      single === "expm"
        ? "(closed form, no time stepping)"
        : `(${problem.solve.solver.name}, reltol ${formatTol(problem.solve.reltol)}, abstol ${formatTol(problem.solve.abstol)})`
    }`,
    `  loss                    ${r.loss}`,
    `  gradient 2-norm         ${Math.sqrt(gnorm).toExponential(6)}  (${r.grad.length} parameters)`,
    `  time per gradient       ${r.timing.median_ms.toFixed(1)} ms median of ${r.timing.repeat} (min ${r.timing.min_ms.toFixed(1)}, max ${r.timing.max_ms.toFixed(1)})`,
    `  counts                  ${Object.entries(r.stats)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  ];
  if (ref !== undefined) {
    lines.push(`  rel. diff to expm       ${relativeDifference(r.grad, ref.grad).toExponential(2)}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

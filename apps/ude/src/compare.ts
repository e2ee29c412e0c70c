/**
 * Every gradient method on one problem, side by side (`ude gradient --method all`, the first part
 * of `ude demo`, and the browser playground's gradient table): each method timed, ForwardSensitivity
 * on leading blocks only when the problem is large, and each gradient's difference to a reference
 * (the expm route for the linear model; for the UDE the interpolating adjoint at tight tolerances).
 */
import {
  defaultForwardSizes,
  type ForwardBlocks,
  forwardBlocks,
  type GradientResult,
  METHOD_LABELS,
  measureGradient,
  type Problem,
} from "./gradients.js";
import { hasClosedForm } from "./model-spec.js";
import { METHOD_NAMES } from "./options.js";
import { forwardRow, type GradientTable, rowOf, type TableRow } from "./table.js";

/** Largest n at which ForwardSensitivity runs at full size by default (beyond: leading blocks only). */
export const FORWARD_FULL_LIMIT = 40;

export interface Comparison {
  table: GradientTable;
  results: GradientResult[];
  /** ForwardSensitivity on leading blocks only (large problems without --forward-full). */
  forward?: ForwardBlocks;
  reference?: GradientResult;
  /** True when a stop request ended the comparison early: the table holds what was done. */
  interrupted: boolean;
}

/**
 * Every method on one problem (the demo's first part); `log` announces each method, `runLog`
 * reports long runs, `stop` (checked between timed runs) ends it early with the rows measured
 * so far.
 */
export async function compareMethods(
  problem: Problem,
  repeat: number,
  forwardSizes: readonly number[] | undefined,
  forwardFull: boolean,
  log: (m: string) => void,
  stop: () => boolean = () => false,
  runLog: (m: string) => void = log,
): Promise<Comparison> {
  const linear = hasClosedForm(problem.params.spec);
  const methods = METHOD_NAMES.filter((m) => m !== "forward" && (m !== "expm" || linear));
  const results: GradientResult[] = [];
  const hooks = { log: runLog, stop };
  let reference: GradientResult | undefined;
  let interrupted = false;
  const keep = (r: GradientResult) => {
    // A method stopped before its first timed run has nothing to show.
    if (!r.interrupted || r.timing.repeat > 0) results.push(r);
    interrupted ||= r.interrupted === true;
  };
  for (const m of methods) {
    log(`  ${METHOD_LABELS[m]} …`);
    const r = await measureGradient(problem, m, repeat, hooks);
    keep(r);
    if (m === "expm" && !r.interrupted) reference = r;
    if (interrupted) break;
  }
  let forward: ForwardBlocks | undefined;
  const n = problem.params.n;
  if (!interrupted && (forwardFull || n <= FORWARD_FULL_LIMIT)) {
    log(`  ${METHOD_LABELS.forward} (n = ${n}) …`);
    keep(await measureGradient(problem, "forward", Math.min(repeat, 3), hooks));
  } else if (!interrupted) {
    const sizes = forwardSizes ?? defaultForwardSizes(n);
    log(
      `  ${METHOD_LABELS.forward} on the leading ${sizes.join(", ")}-node blocks only (not at n = ${n}: one extra ODE per parameter) …`,
    );
    const blocks = await forwardBlocks(problem, sizes, Math.min(repeat, 2), hooks);
    forward = { n: blocks.n, measured: blocks.measured };
    interrupted ||= blocks.interrupted === true;
  }
  if (reference === undefined && !linear && !interrupted) {
    // The UDE has no closed form: compare with the interpolating adjoint at tight tolerances.
    log("  reference: InterpolatingAdjoint at reltol 1e-10, abstol 1e-12 …");
    const tight = { ...problem, solve: { ...problem.solve, reltol: 1e-10, abstol: 1e-12 } };
    reference = await measureGradient(tight, "interpolating", 0);
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
    ...(problem.solve.solver.adaptive ? {} : { dt: problem.solve.dt }),
    ...(ref === undefined
      ? {}
      : { reference: linear ? "the expm route" : "InterpolatingAdjoint at reltol 1e-10, abstol 1e-12" }),
    rows,
  };
  return {
    table,
    results,
    interrupted,
    ...(forward ? { forward } : {}),
    ...(reference ? { reference } : {}),
  };
}

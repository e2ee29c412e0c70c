/**
 * What every command shares: the data, model, parameter and solver options, turned from the
 * command line's strings into a validated Problem (observations + starting parameters + solve
 * settings).
 *
 * The model is --model's (a built-in or a model file, model-file.ts), or with --params and no
 * --model the saved one. Starting parameters, in order of precedence: --params FILE; --seed S (P
 * uniform in [0, 1) as the original rand(n, n), the net Glorot-uniform with zero biases, from
 * @udekit/nn's seeded RNG); otherwise the seed fixture (its leading n×n block of P for fewer than
 * 100 nodes, its net for the seed UDE's shape), so that every run on the defaults computes the
 * same numbers.
 */
import type { Command } from "commander";
import { checkMagnitudes, loadObservations, loadSeed, missingLine } from "../data.js";
import { checkSingleData, collectData } from "../ensemble.js";
import { OptionError } from "../errors.js";
import type { Problem } from "../gradients.js";
import { checkMemory, type Job } from "../memory.js";
import { initialParams, layersFit, type ModelKind, type ModelParams, makeParams } from "../model.js";
import { isModelPath, loadModel } from "../model-file.js";
import { expmScope, hasClosedForm, type ModelSpec, modelTitle, withActivation } from "../model-spec.js";
import { parseActivation, parseInteger, parsePositive, parseSolver, parseTolerance } from "../options.js";
import { loadParamsFile } from "../params-file.js";

/** Options as commander hands them over (strings until parsed here). */
export interface ProblemOptions {
  data?: string;
  times?: string;
  model: string;
  activation?: string;
  params?: string;
  seed?: string;
  solver: string;
  reltol: string;
  abstol: string;
  dt?: string;
}

/** Adds the data, model, parameter and solver options to a command. */
export function addProblemOptions(cmd: Command, defaultModel: ModelKind): Command {
  return cmd
    .option(
      "--data <file>",
      "observations as CSV: one row per node, one column per time (default: the built-in seed data); " +
        "gradient and train take several experiments: --data repeated, or a folder of CSVs",
      collectData(cmd),
    )
    .option("--times <list>", "observation times, comma-separated (default: 1,2,… or a t=… header)")
    .option(
      "--model <name|file>",
      'linear (du/dt = A(P)·u), ude (du/dt = nn(u) + A(P)·u), or a model file (.json, or an ES module .mjs/.js/.ts; see the README\'s "Your own model")',
      defaultModel,
    )
    .option(
      "--activation <name>",
      "activation of the net's hidden layers: identity or tanh (default: the model's own; identity for ude)",
    )
    .option("--params <file>", "start from saved parameters (a results.json from `ude train`)")
    .option("--seed <S>", "start from random parameters drawn with this seed instead of the fixture's")
    .option(
      "--solver <name>",
      "ODE solver: Tsit5, DP5, Vern7, BS3, Rosenbrock23, Rodas4, RK4 (needs --dt), …",
      "Tsit5",
    )
    .option("--reltol <R>", "relative tolerance of the ODE solves", "1e-6")
    .option("--abstol <A>", "absolute tolerance of the ODE solves", "1e-8")
    .option("--dt <h>", "step size, for fixed-step solvers (RK4, Euler, Midpoint, Heun)");
}

/** Two specs describe the same model (same name, terms, constraint, mask and net). */
function sameModel(a: ModelSpec, b: ModelSpec): boolean {
  return (
    JSON.stringify({ ...a, description: undefined }) === JSON.stringify({ ...b, description: undefined })
  );
}

/**
 * Starting parameters from the seed fixture: its leading n×n block of P, and its net when the
 * model's net has the fixture's shapes (the seed UDE's); otherwise the net from --seed 0.
 */
function fixtureParams(spec: ModelSpec, n: number, note: (m: string) => void): ModelParams {
  const fixture = loadSeed();
  const P = fixture.connectivity.slice(0, n).map((r) => r.slice(0, n));
  if (spec.net === undefined || layersFit(spec, fixture.nn.layers))
    return makeParams(spec, P, fixture.nn.layers);
  note(
    `note: the ${modelTitle(spec)} model's net differs from the built-in fixture's (4 → 5 → 4), so the net starts from random weights (--seed 0)${spec.linear ? " and P from the fixture" : ""}.`,
  );
  return initialParams(spec, n, 0, { P });
}

/**
 * Parses the shared options into the problem to solve. `note` receives informational messages;
 * `job` says what will be done with it, for the checks made before anything large is allocated
 * (data magnitudes, memory).
 */
export async function problemFrom(
  o: ProblemOptions,
  cmd: Command,
  note: (m: string) => void,
  job: Job,
): Promise<Problem & { seed?: number }> {
  checkSingleData(cmd, job.command);
  const explicitModel = cmd.getOptionValueSource("model") === "cli";
  // --activation changes the model only when given (a model file's activations stand otherwise;
  // the built-ins' hidden layer is identity, the option's default).
  const activation = o.activation !== undefined ? parseActivation(o.activation) : undefined;
  let spec = await loadModel(o.model);
  const solver = parseSolver(o.solver);
  const reltol = parseTolerance("--reltol", o.reltol, "1e-6");
  const abstol = parseTolerance("--abstol", o.abstol, "1e-8");
  const dt = o.dt !== undefined ? parsePositive("--dt", o.dt, "0.01") : undefined;
  if (!solver.adaptive && dt === undefined) {
    throw new OptionError(
      `solver ${solver.name} has no step-size control, so it needs a fixed step. Fix: pass --dt (e.g. --dt 0.01), or use an adaptive solver such as Tsit5.`,
    );
  }
  const seed = o.seed !== undefined ? parseInteger("--seed", o.seed, 0, "42", 2 ** 53 - 1) : undefined;
  let params: ModelParams | undefined;
  if (o.params !== undefined) {
    params = loadParamsFile(o.params);
    // --model naming the saved built-in keeps the saved model (its activation stays, as before
    // model files; --activation changes it).
    if (!explicitModel || (!isModelPath(o.model) && spec.name === params.spec.name)) spec = params.spec;
  }
  if (activation !== undefined) spec = withActivation(spec, activation);
  // The expm route needs a model without a net: refused before any work or note.
  if (job.method === "expm" && !hasClosedForm(spec)) {
    throw new OptionError(
      job.command === "gradient"
        ? `the expm method applies only to ${expmScope(spec)}. Fix: pass --model linear, or choose another --method.`
        : `--sensealg expm applies only to ${expmScope(spec)}. Fix: pass --model linear, or another --sensealg such as interpolating.`,
    );
  }
  if (params !== undefined && !sameModel(params.spec, spec)) {
    // Another model than the saved one: keep what fits (P; the net when its shapes match).
    const fixtureLayers = loadSeed().nn.layers;
    const saved = params.layers();
    const layers = layersFit(spec, saved)
      ? saved
      : layersFit(spec, fixtureLayers)
        ? fixtureLayers
        : undefined;
    params = initialParams(spec, params.n, 0, {
      ...(params.spec.linear ? { P: params.P() } : {}),
      ...(layers !== undefined ? { layers } : {}),
    });
  }
  const obs = loadObservations(o.data, o.times, spec);
  const n = obs.values.length;
  const source = o.data ?? "the built-in seed data";
  const missing = missingLine(obs, source);
  if (missing !== undefined) note(missing);
  checkMagnitudes(obs, source, job.command === "train" || job.command === "demo");
  checkMemory(spec, n, source, job);
  const solve = { solver, reltol, abstol, ...(dt !== undefined ? { dt } : {}) };
  if (params !== undefined) {
    if (params.n !== n) {
      throw new OptionError(
        `the parameters in "${o.params}" are for ${params.n} nodes but ${source} has ${n}. Fix: pass the data they were trained on (--data), or other --params.`,
      );
    }
  } else if (seed !== undefined) {
    params = initialParams(spec, n, seed);
  } else if (n <= loadSeed().connectivity.length) {
    params = fixtureParams(spec, n, note);
  } else {
    note(
      `note: the built-in connectivity matrix has ${loadSeed().connectivity.length} nodes and the data ${n}; starting from random parameters (--seed 0).`,
    );
    return { obs, params: initialParams(spec, n, 0), solve, seed: 0 };
  }
  return { obs, params, solve, ...(seed !== undefined ? { seed } : {}) };
}

/**
 * What every command shares: the data, model, parameter and solver options, turned from the
 * command line's strings into a validated Problem (observations + starting parameters + solve
 * settings).
 *
 * Starting parameters, in order of precedence: --params FILE; --seed S (P uniform in [0, 1) as
 * the original rand(n, n), the net Glorot-uniform with zero biases, from @udekit/nn's seeded
 * RNG); otherwise the seed fixture (its leading n×n block of P for fewer than 100 nodes), so
 * that every run on the defaults computes the same numbers.
 */
import { type ActivationName, flatten, rng, setup } from "@udekit/nn";
import type { Command } from "commander";
import { checkMagnitudes, loadObservations, loadSeed, missingLine } from "../data.js";
import { OptionError } from "../errors.js";
import type { Problem } from "../gradients.js";
import { checkMemory, type Job } from "../memory.js";
import { blockNet, type LayerValues, type ModelKind, type ModelParams, makeParams } from "../model.js";
import {
  parseActivation,
  parseInteger,
  parseModel,
  parsePositive,
  parseSolver,
  parseTolerance,
} from "../options.js";
import { loadParamsFile } from "../results.js";

/** Options as commander hands them over (strings until parsed here). */
export interface ProblemOptions {
  data?: string;
  times?: string;
  model: string;
  activation: string;
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
      "observations as CSV: one row per node, one column per time (default: the built-in seed data)",
    )
    .option("--times <list>", "observation times, comma-separated (default: 1,2,… or a t=… header)")
    .option("--model <kind>", "linear (du/dt = A(P)·u) or ude (du/dt = nn(u) + A(P)·u)", defaultModel)
    .option("--activation <name>", "activation of the net's hidden layer: identity or tanh", "identity")
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

function rows(data: Float64Array, r: number, c: number): number[][] {
  return Array.from({ length: r }, (_, i) => Array.from(data.subarray(i * c, (i + 1) * c)));
}

function randomParams(kind: ModelKind, n: number, activation: ActivationName, seed: number): ModelParams {
  const r = rng(seed);
  const P = Array.from({ length: n }, () => Array.from({ length: n }, () => r.uniform()));
  const { ps } = setup(r, blockNet(activation));
  const { entries, vector } = flatten(ps);
  const get = (path: string) => entries.find((e) => e.path === path) as { offset: number; size: number };
  const layers: LayerValues[] = [1, 2].map((k) => {
    const w = get(`layer_${k}.weight`);
    const b = get(`layer_${k}.bias`);
    const out = k === 1 ? 5 : 4;
    return {
      weight: rows(vector.subarray(w.offset, w.offset + w.size), out, w.size / out),
      bias: Array.from(vector.subarray(b.offset, b.offset + b.size)),
    };
  });
  return makeParams(kind, P, layers, activation);
}

/**
 * Parses the shared options into the problem to solve. `note` receives informational messages;
 * `job` says what will be done with it, for the checks made before anything large is allocated
 * (data magnitudes, memory).
 */
export function problemFrom(
  o: ProblemOptions,
  cmd: Command,
  note: (m: string) => void,
  job: Job,
): Problem & { seed?: number } {
  const explicitModel = cmd.getOptionValueSource("model") === "cli";
  let kind = parseModel(o.model);
  const activation = parseActivation(o.activation);
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
    params = loadParamsFile(o.params, activation);
    if (!explicitModel) kind = params.kind;
    if (
      params.kind !== kind ||
      (cmd.getOptionValueSource("activation") === "cli" && params.activation !== activation)
    ) {
      const layers = params.layers().length > 0 ? params.layers() : loadSeed().nn.layers;
      params = makeParams(
        kind,
        params.P(),
        layers,
        cmd.getOptionValueSource("activation") === "cli" ? activation : params.activation,
      );
    }
  }
  const obs = loadObservations(o.data, o.times, kind);
  const n = obs.values.length;
  const source = o.data ?? "the built-in seed data";
  const missing = missingLine(obs, source);
  if (missing !== undefined) note(missing);
  checkMagnitudes(obs, source, job.command === "train" || job.command === "demo");
  checkMemory(kind, n, source, job);
  if (params !== undefined) {
    if (params.n !== n) {
      throw new OptionError(
        `the parameters in "${o.params}" are for ${params.n} nodes but ${source} has ${n}. Fix: pass the data they were trained on (--data), or other --params.`,
      );
    }
  } else if (seed !== undefined) {
    params = randomParams(kind, n, activation, seed);
  } else {
    const fixture = loadSeed();
    if (n <= fixture.connectivity.length) {
      const P = fixture.connectivity.slice(0, n).map((r) => r.slice(0, n));
      params = makeParams(kind, P, fixture.nn.layers, activation);
    } else {
      note(
        `note: the built-in connectivity matrix has ${fixture.connectivity.length} nodes and the data ${n}; starting from random parameters (--seed 0).`,
      );
      params = randomParams(kind, n, activation, 0);
      return { obs, params, solve: { solver, reltol, abstol, ...(dt !== undefined ? { dt } : {}) }, seed: 0 };
    }
  }
  return {
    obs,
    params,
    solve: { solver, reltol, abstol, ...(dt !== undefined ? { dt } : {}) },
    ...(seed !== undefined ? { seed } : {}),
  };
}

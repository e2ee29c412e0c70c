/**
 * `--resume` continues one run: the same objective, minimised further. The optimiser's saved
 * state (Adam's moments, L-BFGS's curvature pairs and last objective value) describes the saved
 * run's objective, so a resumed run takes the settings that define it from results.json:
 *
 *   data (--data, --times), the model (--model, --activation), what is fitted (--weights,
 *   --holdout and the --seed that picks held-out nodes), the penalty (--l2, --l1) and the solves
 *   (--solver, --reltol, --abstol, --dt: the loss is computed from them).
 *
 * An option left out takes the saved value, said in one line; an option given with another value
 * is refused (exit code 2) with a Fix: changing the objective under a saved optimiser state is
 * not a continuation (L-BFGS would build its step from curvature pairs of another function), and
 * a new objective starting from the saved parameters is `--params`. Settings that do not change
 * the objective (--iters, --lbfgs-iters, --lr, --time-budget, --sensealg, --out,
 * --checkpoint-every) are the command line's, as before.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import type { ProblemOptions } from "./commands/common.js";
import type { TrainCliOptions } from "./commands/train.js";
import { userPath } from "./data.js";
import { InputFileError, OptionError } from "./errors.js";
import type { FitTargets } from "./fit.js";
import { parseHoldout } from "./holdout.js";
import type { ModelSpec } from "./model-spec.js";
import { parsePositive, parseSolver, parseTolerance } from "./options.js";

/** The saved run's settings that define its objective (results.json's settings and model). */
export interface SavedObjective {
  /** The data file as given to the saved run; undefined: the built-in seed data. */
  data?: string;
  times?: number[];
  weights?: string;
  holdout?: { by: string; fraction: number; nodes?: number[]; times?: number[] };
  seed?: number;
  l2: number;
  l1: number;
  solver?: string;
  reltol?: number;
  abstol?: number;
  dt?: number;
  model?: ModelSpec;
}

const SEED_DATA = "built-in seed data";

/** The objective recorded in a results document (older documents lack some keys: then unchecked). */
export function savedObjective(doc: unknown): SavedObjective {
  const d = (doc ?? {}) as { settings?: Record<string, unknown>; model?: ModelSpec };
  const s = d.settings ?? {};
  const num = (x: unknown) => (typeof x === "number" ? x : undefined);
  const str = (x: unknown) => (typeof x === "string" ? x : undefined);
  const seed = /seed (\d+)/.exec(str(s.start) ?? "");
  const h = s.holdout as SavedObjective["holdout"] | undefined;
  const data = str(s.data);
  return {
    ...(data !== undefined && data !== SEED_DATA ? { data } : {}),
    ...(Array.isArray(s.times) ? { times: s.times as number[] } : {}),
    ...(str(s.weights) !== undefined ? { weights: str(s.weights) } : {}),
    ...(h !== undefined && h !== null && typeof h === "object" ? { holdout: h } : {}),
    ...(seed !== null ? { seed: Number(seed[1]) } : {}),
    l2: num(s.l2) ?? 0,
    l1: num(s.l1) ?? 0,
    ...(str(s.solver) !== undefined ? { solver: str(s.solver) } : {}),
    ...(num(s.reltol) !== undefined ? { reltol: num(s.reltol) } : {}),
    ...(num(s.abstol) !== undefined ? { abstol: num(s.abstol) } : {}),
    ...(num(s.dt) !== undefined ? { dt: num(s.dt) } : {}),
    ...(d.model !== undefined ? { model: d.model } : {}),
  };
}

type Options = ProblemOptions & TrainCliOptions;

/** The refusal of an option that would change the saved objective. */
function conflict(file: string, given: string, saved: string, option: string): OptionError {
  return new OptionError(
    `--resume: ${given} differs from the saved run's ${saved}, and its optimiser state (Adam's moments, L-BFGS's curvature pairs) belongs to that objective. ` +
      `Fix: leave ${option} out to continue with the saved value, or start a new run with the new objective from its parameters: --params ${file} instead of --resume.`,
  );
}

/**
 * Two data files are the same when they resolve to one path, or hold the same bytes (the saved
 * path is relative to the folder the saved run started in). A saved file no longer found cannot
 * be compared: the given one is used.
 */
function sameFile(given: string, saved: string): boolean {
  const a = userPath(given);
  const b = userPath(saved);
  if (a === b || !existsSync(b)) return true;
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}

/** A saved file the resumed run takes over must still be found. */
function takeFile(what: string, option: string, path: string): string {
  if (!existsSync(userPath(path))) {
    throw new InputFileError(
      `--resume: the saved run's ${what} "${path}" is not found from here (looked at ${userPath(path)}; results.json keeps the path as given). ` +
        `Fix: run from the folder the saved run started in, or pass ${option} with the same file.`,
    );
  }
  return path;
}

/**
 * Before the problem is built: fills the options left out with the saved objective's values and
 * refuses given ones that differ; returns the options to build the problem from and the line
 * saying what was taken (undefined when nothing differs from this command line's own defaults).
 */
export function resumeOptions(
  o: Options,
  cmd: Command,
  file: string,
  saved: SavedObjective,
): { options: Options; taken: string | undefined } {
  const given = (name: string) => cmd.getOptionValueSource(name) === "cli";
  const out: Options = { ...o };
  const taken: string[] = [];
  const take = (name: keyof Options, value: string, show: string | undefined) => {
    (out as unknown as Record<string, string>)[name] = value;
    if (show !== undefined) taken.push(show);
  };

  // Data and weights files.
  if (given("data")) {
    if (saved.data === undefined) throw conflict(file, `--data ${o.data}`, "built-in seed data", "--data");
    if (!sameFile(o.data as string, saved.data)) {
      throw conflict(file, `--data ${o.data}`, `--data ${saved.data}`, "--data");
    }
  } else if (saved.data !== undefined) {
    take("data", takeFile("data", "--data", saved.data), `--data ${saved.data}`);
  }
  if (o.weights !== undefined) {
    if (saved.weights === undefined)
      throw conflict(file, `--weights ${o.weights}`, "unweighted loss", "--weights");
    if (!sameFile(o.weights, saved.weights)) {
      throw conflict(file, `--weights ${o.weights}`, `--weights ${saved.weights}`, "--weights");
    }
  } else if (saved.weights !== undefined) {
    take("weights", takeFile("weights", "--weights", saved.weights), `--weights ${saved.weights}`);
  }
  // --times: compared after loading (checkSameObjective); taken when the saved run recorded them.
  if (o.times === undefined && saved.times !== undefined) take("times", saved.times.join(","), undefined);

  // The hold-out: by and fraction here; the held-out set (the seed picks nodes) after loading.
  const savedHoldout =
    saved.holdout !== undefined ? `${saved.holdout.by}:${saved.holdout.fraction}` : undefined;
  if (o.holdout !== undefined) {
    const h = parseHoldout(o.holdout);
    if (savedHoldout === undefined)
      throw conflict(file, `--holdout ${o.holdout}`, "run without a hold-out", "--holdout");
    if (`${h.by}:${h.fraction}` !== savedHoldout) {
      throw conflict(file, `--holdout ${o.holdout}`, `--holdout ${savedHoldout}`, "--holdout");
    }
  } else if (savedHoldout !== undefined) {
    take("holdout", savedHoldout, `--holdout ${savedHoldout}`);
  }
  if (o.seed === undefined && saved.seed !== undefined) {
    take("seed", String(saved.seed), saved.holdout?.by === "nodes" ? `--seed ${saved.seed}` : undefined);
  }

  // The penalty.
  for (const [name, value] of [
    ["l2", saved.l2],
    ["l1", saved.l1],
  ] as const) {
    if (given(name)) {
      const v = parsePositive(`--${name}`, o[name] as string, "1e-4", true);
      if (v !== value) throw conflict(file, `--${name} ${o[name]}`, `--${name} ${value}`, `--${name}`);
    } else if (value !== 0) take(name, String(value), `--${name} ${value}`);
  }

  // The solves.
  if (saved.solver !== undefined) {
    if (given("solver")) {
      const name = parseSolver(o.solver).name;
      if (name !== saved.solver)
        throw conflict(file, `--solver ${name}`, `--solver ${saved.solver}`, "--solver");
    } else if (saved.solver !== parseSolver(o.solver).name)
      take("solver", saved.solver, `--solver ${saved.solver}`);
  }
  for (const [name, value] of [
    ["reltol", saved.reltol],
    ["abstol", saved.abstol],
  ] as const) {
    if (value === undefined) continue;
    if (given(name)) {
      const v = parseTolerance(`--${name}`, o[name], "1e-6");
      if (v !== value) throw conflict(file, `--${name} ${o[name]}`, `--${name} ${value}`, `--${name}`);
    } else if (value !== parseTolerance(`--${name}`, o[name], "1e-6")) {
      take(name, String(value), `--${name} ${value}`);
    }
  }
  if (o.dt !== undefined) {
    const v = parsePositive("--dt", o.dt, "0.01");
    if (v !== saved.dt) {
      throw conflict(
        file,
        `--dt ${o.dt}`,
        saved.dt !== undefined ? `--dt ${saved.dt}` : "adaptive steps",
        "--dt",
      );
    }
  } else if (saved.dt !== undefined) take("dt", String(saved.dt), `--dt ${saved.dt}`);

  return {
    options: out,
    taken:
      taken.length > 0
        ? `Resuming with the saved run's objective: ${taken.join(" ")} (not given on this command line; given ones must match).`
        : undefined,
  };
}

/**
 * After the problem is built: the model, the times and the held-out set must be the saved run's
 * (--model or --activation can change the model, --times the times, --seed the held-out nodes).
 */
export function checkSameObjective(
  file: string,
  saved: SavedObjective,
  spec: ModelSpec,
  times: readonly number[],
  fit: FitTargets,
  seed: number | undefined,
): void {
  if (saved.model !== undefined && !sameSpec(saved.model, spec)) {
    throw conflict(
      file,
      `this command line's model (${describe(spec)})`,
      `model (${describe(saved.model)})`,
      "--model and --activation",
    );
  }
  if (saved.times !== undefined && saved.times.join(",") !== times.join(",")) {
    throw conflict(file, `--times ${times.join(",")}`, `--times ${saved.times.join(",")}`, "--times");
  }
  const h = saved.holdout;
  const held = fit.holdout;
  if (h !== undefined && held !== undefined) {
    const nodes = held.nodes?.map((i) => i + 1).join(",");
    if (h.nodes !== undefined && nodes !== h.nodes.join(",")) {
      throw conflict(
        file,
        `--seed ${seed ?? 0} (held-out nodes ${nodes})`,
        `--seed ${saved.seed ?? 0} (held-out nodes ${h.nodes.join(",")})`,
        "--seed",
      );
    }
  }
}

/** A model in a message: its name, and its hidden layers' activations when it has a net. */
function describe(spec: ModelSpec): string {
  const hidden = spec.net?.hidden.map((l) => l.activation) ?? [];
  return hidden.length > 0 ? `${spec.name}, hidden activation ${hidden.join(" → ")}` : spec.name;
}

/** The same model (the description is only text). */
function sameSpec(a: ModelSpec, b: ModelSpec): boolean {
  return (
    JSON.stringify({ ...a, description: undefined }) === JSON.stringify({ ...b, description: undefined })
  );
}

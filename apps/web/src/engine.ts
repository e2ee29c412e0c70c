/**
 * The worker's side of the playground: it holds the problem (observations, parameters, solver
 * settings) and runs everything that computes — the loss, training, the gradient table, the
 * timing of one gradient, results.json — with the CLI's own code from apps/ude/src (model,
 * CSV validation, options, gradients, training, table, results schema), so the page computes the
 * same numbers as `ude` and words its errors the same way.
 *
 * Loaded by worker.ts after the page's first message, so that a page without WebAssembly can
 * take it away here too before @udekit/kernels decides on its backend at load time.
 */
import { kernels } from "@udekit/kernels";
import { ALL_SOLVERS } from "@udekit/ode";
import seedJson from "ude/data/seed-ude.json";
import { compareMethods } from "ude/src/compare.js";
import { checkMagnitudes, checkObservations, csvObservations, parseCsv, withTimes } from "ude/src/csv.js";
import type { SeedData } from "ude/src/data.js";
import { OptionError, UdeError } from "ude/src/errors.js";
import { formatLoss } from "ude/src/format.js";
import { lossAndGradient, METHOD_LABELS, measureGradient, type Problem } from "ude/src/gradients.js";
import {
  ACTIVATION_NAMES,
  MODEL_KINDS,
  type ModelKind,
  type ModelParams,
  makeParams,
  type Observations,
  rhsFor,
} from "ude/src/model.js";
import {
  METHOD_NAMES,
  type MethodName,
  OPTIMIZER_NAMES,
  parseActivation,
  parseInteger,
  parseMethod,
  parseModel,
  parseOptimizer,
  parsePositive,
  parseSolver,
  parseTolerance,
} from "ude/src/options.js";
import { resultsDocument, toJson } from "ude/src/results-schema.js";
import { formatTable, tableHtml } from "ude/src/table.js";
import { auditLine, stopLine, type TrainOutcome, type TrainSettings, train } from "ude/src/training.js";
import { plotNodes, trajectories } from "ude/src/trajectories.js";
import type {
  FitData,
  PageRequest,
  ProblemConfig,
  ProblemSummary,
  TrainConfig,
  WorkerReply,
} from "./protocol.js";
import { browserVersions } from "./versions.js";

const seed = seedJson as SeedData;
const SEED_SOURCE = "the built-in seed data";
/** Points of the dense predicted trajectories in the fit plot (as the CLI's fit.svg). */
const FIT_POINTS = 81;
/** Least time between two live fit-plot updates during training: each costs one forward solve. */
const FIT_EVERY_MS = 300;

/** The parsed model, solver and gradient settings. */
interface Settings {
  kind: ModelKind;
  activation: ModelParams["activation"];
  solve: Problem["solve"];
  sensealg: MethodName;
}

function parseConfig(c: ProblemConfig): Settings {
  const kind = parseModel(c.model);
  const activation = parseActivation(c.activation);
  const solver = parseSolver(c.solver);
  const reltol = parseTolerance("--reltol", c.reltol, "1e-6");
  const abstol = parseTolerance("--abstol", c.abstol, "1e-8");
  const dt = c.dt.trim() !== "" ? parsePositive("--dt", c.dt, "0.01") : undefined;
  if (!solver.adaptive && dt === undefined) {
    throw new OptionError(
      `solver ${solver.name} has no step-size control, so it needs a fixed step. Fix: enter a step in dt (--dt, e.g. 0.01), or choose an adaptive solver such as Tsit5.`,
    );
  }
  const sensealg = parseMethod(c.sensealg, false, "--sensealg") as MethodName;
  return {
    kind,
    activation,
    solve: { solver, reltol, abstol, ...(dt !== undefined ? { dt } : {}) },
    sensealg,
  };
}

function parseTrain(c: TrainConfig, sensealg: MethodName): TrainSettings {
  return {
    optimizer: parseOptimizer(c.optimizer),
    iters: parseInteger("--iters", c.iters, 1, "200"),
    lbfgsIters: parseInteger("--lbfgs-iters", c.lbfgsIters, 0, "50"),
    lr: parsePositive("--lr", c.lr, "0.01"),
    timeBudget: parsePositive("--time-budget", c.timeBudget, "60"),
    sensealg,
  };
}

/**
 * The starting parameters, as the CLI's defaults: the fixture's P (its leading n×n block for
 * fewer nodes) and net. The CLI starts larger networks from random parameters (--seed); the page
 * has no seed option, so it says so instead.
 */
function fixtureParams(kind: ModelKind, n: number, activation: Settings["activation"], source: string) {
  const size = seed.connectivity.length;
  if (n > size) {
    throw new OptionError(
      `${source} has ${n} nodes, but the page starts from the fixture's ${size}-node connectivity matrix. Fix: use at most ${size} nodes here, or the CLI for larger networks (ude train --data FILE --seed 0 starts from random parameters).`,
    );
  }
  const P = seed.connectivity.slice(0, n).map((r) => r.slice(0, n));
  return makeParams(kind, P, seed.nn.layers, activation);
}

/** Node numbers as the page shows them (1-based, comma-separated) → 0-based indices. */
function parseNodes(text: string, n: number): number[] {
  const fields = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const nodes = fields.map((s) => parseInteger("nodes", s, 1, "1, 26, 51, 76", n) - 1);
  if (nodes.length === 0 || nodes.length > 8) {
    throw new OptionError(
      `nodes "${text}" names ${nodes.length} nodes; the fit plot shows 1 to 8. Fix: list node numbers from 1 to ${n}, e.g. 1, 26, 51, 76.`,
    );
  }
  return [...new Set(nodes)];
}

/** The one-line message the CLI would print after "ude: " (library errors keep their class name). */
function errorLine(e: unknown): { name: string; message: string } {
  if (e instanceof UdeError) return { name: e.name, message: e.message };
  if (e instanceof Error) return { name: e.name, message: `${e.name}: ${e.message}` };
  return { name: "Error", message: String(e) };
}

export type Post = (reply: WorkerReply) => void;

/** Starts the engine on the seed data; returns the handler of the page's later requests. */
export function start(post: Post, config: ProblemConfig): (request: PageRequest) => void {
  let obs: Observations = { times: seed.times, values: seed.trainingData };
  let source = SEED_SOURCE;
  let times = "";
  let settings: Settings;
  let problem: Problem;
  /** The parameters training started from at first (the dashed curves of the fit plot). */
  let startVector: Float64Array;
  /** The model's right-hand side for the page's own solves (solveOde compiles it once per function). */
  let rhs: ReturnType<typeof rhsFor>;
  let nodes: number[];
  let lastRun: { settings: TrainSettings; outcome: TrainOutcome; continued: boolean } | undefined;
  let busy: PageRequest["type"] | null = null;
  let stopRequested = false;

  /** Sets up a new problem (and fresh starting parameters) from observations and settings; throws before changing anything. */
  const rebuild = (nextObs: Observations, nextSource: string, next: Settings) => {
    checkObservations(nextObs, next.kind, nextSource);
    // As `ude train`: values whose squares overflow in training are refused up front.
    checkMagnitudes(nextObs, nextSource, true);
    const params = fixtureParams(next.kind, nextObs.values.length, next.activation, nextSource);
    const nextProblem: Problem = { obs: nextObs, params, solve: next.solve };
    // The gradient method must suit the model (expm is for the linear model only): it says so here.
    lossAndGradient(nextProblem, next.sensealg);
    obs = nextObs;
    source = nextSource;
    settings = next;
    problem = nextProblem;
    startVector = Float64Array.from(params.vector);
    rhs = rhsFor(params);
    nodes = plotNodes(params.n);
    lastRun = undefined;
  };

  const fitData = (): FitData => {
    const at = (vector: Float64Array) => trajectories(problem, vector, nodes, rhs, FIT_POINTS);
    return {
      nodes,
      observed: nodes.map((i) => obs.times.map((t, k) => ({ t, u: obs.values[i][k] }))),
      start: at(startVector),
      current: at(problem.params.vector),
    };
  };

  /** Loss (by the chosen gradient method) at the current parameters, and everything the page shows. */
  const summary = (): ProblemSummary => {
    const { run } = lossAndGradient(problem, settings.sensealg, rhs);
    const t0 = performance.now();
    const [value] = run(problem.params.tensor());
    const loss_ms = performance.now() - t0;
    const { params, solve } = problem;
    return {
      model: params.kind,
      activation: params.activation,
      n: params.n,
      parameters: params.vector.length,
      data: source === SEED_SOURCE ? "built-in seed data" : source,
      times: obs.times,
      values: obs.values,
      solver: solve.solver.name,
      reltol: solve.reltol,
      abstol: solve.abstol,
      ...(solve.dt !== undefined ? { dt: solve.dt } : {}),
      sensealg: settings.sensealg,
      loss: value.item(),
      loss_ms,
      trained: params.vector.some((x, i) => x !== startVector[i]),
      start: "fixture values",
      fit: fitData(),
    };
  };

  /**
   * Runs a change of data, settings, nodes or parameters and posts the new summary; when any of
   * it throws (bad input, or a solve that fails at the new settings), everything is put back as
   * it was, so the page's "changes nothing" holds.
   */
  const change = (apply: () => void) => {
    const before = { obs, source, times, settings, problem, startVector, rhs, nodes, lastRun };
    const vector = Float64Array.from(problem.params.vector);
    try {
      apply();
      post({ type: "problem", summary: summary() });
    } catch (e) {
      ({ obs, source, times, settings, problem, startVector, rhs, nodes, lastRun } = before);
      problem.params.vector.set(vector);
      throw e;
    }
  };

  const jobs: {
    [K in PageRequest["type"]]?: (r: Extract<PageRequest, { type: K }>) => Promise<void> | void;
  } = {
    configure: (r) =>
      change(() => {
        const next = parseConfig(r.problem);
        if (next.kind !== settings.kind || next.activation !== settings.activation) {
          rebuild(obs, source, next);
        } else {
          // Same model: keep the current (perhaps trained) parameters, new solver settings.
          const nextProblem = { ...problem, solve: next.solve };
          lossAndGradient(nextProblem, next.sensealg);
          settings = next;
          problem = nextProblem;
          lastRun = undefined;
        }
      }),
    data: (r) =>
      change(() => {
        let nextObs: Observations;
        let nextSource: string;
        if (r.csv === null) {
          nextObs = { times: seed.times, values: seed.trainingData };
          nextSource = SEED_SOURCE;
        } else {
          nextObs = csvObservations(parseCsv(r.csv.text, r.csv.name));
          nextSource = r.csv.name;
        }
        if (r.times.trim() !== "") nextObs = withTimes(nextObs, r.times.trim(), nextSource);
        rebuild(nextObs, nextSource, settings);
        times = r.times;
      }),
    nodes: (r) =>
      change(() => {
        nodes = parseNodes(r.nodes, problem.params.n);
      }),
    reset: () =>
      change(() => {
        problem.params.vector.set(startVector);
        lastRun = undefined;
      }),
    train: async (r) => {
      const trainSettings = parseTrain(r.train, settings.sensealg);
      const continued = problem.params.vector.some((x, i) => x !== startVector[i]);
      let bestLoss = Number.POSITIVE_INFINITY;
      let lastFit = performance.now();
      const outcome = await train(problem, trainSettings, {
        stopRequested: () => stopRequested,
        onIteration: (event) => {
          bestLoss = Math.min(bestLoss, event.loss);
          const now = performance.now();
          const fit = now - lastFit >= FIT_EVERY_MS ? fitData() : undefined;
          if (fit !== undefined) lastFit = performance.now();
          post({ type: "progress", event, bestLoss, ...(fit ? { fit } : {}) });
        },
      });
      lastRun = { settings: trainSettings, outcome, continued };
      post({
        type: "trained",
        summary: {
          status: outcome.stopReason,
          message: outcome.message,
          line: stopLine(outcome),
          ...(outcome.audits.length > 0 ? { audit: auditLine(outcome.audits) } : {}),
          iterations: outcome.history.length,
          initialLoss: outcome.initialLoss,
          bestLoss: outcome.bestLoss,
          wall_s: outcome.wall_s,
          gradient_ms: outcome.gradient_ms,
          evaluations: outcome.evaluations,
        },
      });
      // train() leaves the best parameters seen in place: the loss there, evaluated afresh.
      post({ type: "problem", summary: summary() });
    },
    table: async (r) => {
      const c = await compareMethods(
        problem,
        parseInteger("--repeat", r.repeat, 1, "3", 1000),
        undefined,
        false,
        (line) => post({ type: "log", line: line.trim() }),
        () => stopRequested,
      );
      post({
        type: "table",
        html: tableHtml(c.table),
        text: formatTable(c.table),
        interrupted: c.interrupted,
      });
    },
    time: async (r) => {
      const repeat = parseInteger("--repeat", r.repeat, 1, "5", 1000);
      const m = await measureGradient(problem, settings.sensealg, repeat, { stop: () => stopRequested });
      if (!m.ok) throw new UdeError(`${METHOD_LABELS[settings.sensealg]} failed: ${m.error}`, 1);
      post({
        type: "timing",
        model: problem.params.kind,
        method: settings.sensealg,
        n: problem.params.n,
        loss: m.loss,
        ...m.timing,
        interrupted: m.interrupted === true,
      });
    },
    results: () => {
      if (lastRun === undefined) {
        throw new UdeError(
          "there is no training run to save: the results describe a run. Fix: press Train first (changing the data or settings starts afresh).",
        );
      }
      const { outcome, continued } = lastRun;
      const doc = resultsDocument(
        problem,
        lastRun.settings,
        {
          command: "web",
          data: source === SEED_SOURCE ? "built-in seed data" : source,
          extra: {
            kernels: kernels().name,
            ...(times.trim() !== "" ? { times_option: times.trim() } : {}),
            ...(continued ? { start: "the parameters of the previous run in this page" } : {}),
          },
        },
        outcome,
        browserVersions(),
      );
      const kind = problem.params.kind;
      post({
        type: "results",
        json: `${toJson(doc, 2)}\n`,
        history: outcome.history,
        lossTitle: `Training loss, ${kind} model (${lastRun.settings.optimizer}, ${lastRun.settings.sensealg})`,
        fitTitle: `Observed vs predicted, ${kind} model: loss ${formatLoss(outcome.initialLoss)} → ${formatLoss(outcome.bestLoss)}`,
        fit: fitData(),
      });
    },
  };

  const handle = (request: PageRequest) => {
    if (request.type === "stop") {
      stopRequested = true;
      return;
    }
    if (busy !== null) {
      post({
        type: "error",
        name: "BusyError",
        message: `the worker is still busy with "${busy}". Fix: wait for it to finish, or press Stop.`,
        request: request.type,
      });
      return;
    }
    const job = jobs[request.type] as ((r: PageRequest) => Promise<void> | void) | undefined;
    if (job === undefined) return;
    busy = request.type;
    stopRequested = false;
    // A macrotask first, so the page's "busy" state is painted before long synchronous work.
    setTimeout(async () => {
      try {
        await job(request);
      } catch (e) {
        post({ type: "error", ...errorLine(e), request: request.type });
      } finally {
        busy = null;
        post({ type: "idle" });
      }
    }, 0);
  };

  // The seed problem with the page's settings; the page has its first loss without asking.
  busy = "configure";
  try {
    settings = parseConfig(config);
    rebuild(obs, source, settings);
  } catch (e) {
    // Unusable initial settings: fall back to `ude train`'s defaults, and say why.
    post({ type: "error", ...errorLine(e), request: "configure" });
    settings = parseConfig({
      model: "ude",
      activation: "identity",
      solver: "Tsit5",
      reltol: "1e-6",
      abstol: "1e-8",
      dt: "",
      sensealg: "discrete",
    });
    rebuild(obs, source, settings);
  }
  post({
    type: "ready",
    kernels: kernels().name as "wasm" | "ts",
    solvers: ALL_SOLVERS.map((s) => ({
      name: s.name,
      adaptive: s.adaptive,
      stiff: s.stiff,
      description: s.description,
    })),
    methods: METHOD_NAMES.map((m) => ({ name: m, label: METHOD_LABELS[m] })),
    optimizers: [...OPTIMIZER_NAMES],
    activations: [...ACTIVATION_NAMES],
    models: [...MODEL_KINDS],
  });
  setTimeout(() => {
    try {
      post({ type: "problem", summary: summary() });
    } catch (e) {
      post({ type: "error", ...errorLine(e), request: "configure" });
    } finally {
      busy = null;
      post({ type: "idle" });
    }
  }, 0);
  return handle;
}

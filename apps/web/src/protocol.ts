/**
 * The messages between the page (main.ts) and its Web Worker (worker.ts, engine.ts). The page
 * holds no udekit computation: it sends the settings as the user typed them (strings, parsed in
 * the worker by the CLI's own parsers, so a bad value gets the CLI's one-line message) and draws
 * what comes back. Everything here crosses postMessage, so it is plain data.
 */
import type { ProgressEvent, StopReason } from "ude/src/training.js";

/** The model, solver and gradient settings (the CLI's --model … --sensealg), as typed. */
export interface ProblemConfig {
  model: string;
  activation: string;
  solver: string;
  reltol: string;
  abstol: string;
  /** Fixed step for solvers without step control ("" for none). */
  dt: string;
  sensealg: string;
}

/** The optimiser settings (the CLI's --optimizer … --time-budget), as typed. */
export interface TrainConfig {
  optimizer: string;
  iters: string;
  lbfgsIters: string;
  lr: string;
  timeBudget: string;
}

/** A user's CSV file: its name (used in messages, as the CLI uses the path) and its text. */
export interface CsvFile {
  name: string;
  text: string;
}

export type PageRequest =
  /** First message: whether the page itself has WebAssembly (the worker mirrors it). */
  | { type: "init"; wasm: boolean; problem: ProblemConfig }
  | { type: "configure"; problem: ProblemConfig }
  /** New observations: a CSV file (null: the built-in seed data) and the --times value ("" for none). */
  | { type: "data"; csv: CsvFile | null; times: string }
  | { type: "nodes"; nodes: string }
  | { type: "train"; train: TrainConfig }
  | { type: "stop" }
  | { type: "reset" }
  /** Timed runs per method / of the one gradient, as typed (the CLI's --repeat). */
  | { type: "table"; repeat: string }
  | { type: "time"; repeat: string }
  | { type: "results" };

/** A point of a trajectory or an observation. */
export interface Point {
  t: number;
  u: number;
}

/** Predicted trajectories of the plotted nodes: at the starting and at the current parameters. */
export interface FitData {
  /** 0-based node indices. */
  nodes: number[];
  /** Observation times and values per plotted node. */
  observed: Point[][];
  start: Point[][];
  current: Point[][];
}

/** What the page shows about the problem the worker holds. */
export interface ProblemSummary {
  /** The model's name (the page offers the built-ins). */
  model: string;
  activation: string;
  n: number;
  parameters: number;
  /** Where the data came from: "built-in seed data" or the CSV's name. */
  data: string;
  times: number[];
  /** n rows × m columns. */
  values: number[][];
  solver: string;
  reltol: number;
  abstol: number;
  dt?: number;
  sensealg: string;
  /** Loss at the current parameters, by the chosen gradient method. */
  loss: number;
  /** Milliseconds of that loss-and-gradient evaluation. */
  loss_ms: number;
  /** True once the parameters differ from the starting ones (after training). */
  trained: boolean;
  /** The starting parameters: "fixture values" (the seed fixture's, or its leading block). */
  start: string;
  fit: FitData;
}

export interface SolverInfo {
  name: string;
  adaptive: boolean;
  stiff: boolean;
  description: string;
}

/** A training run's end. */
export interface TrainSummary {
  status: StopReason;
  message: string;
  /** The CLI's closing line for the run (stopLine). */
  line: string;
  /** The CLI's line about the gradient audits of the run (auditLine), when there were any. */
  audit?: string;
  iterations: number;
  initialLoss: number;
  bestLoss: number;
  wall_s: number;
  gradient_ms: number;
  evaluations: number;
}

export type WorkerReply =
  | {
      type: "ready";
      kernels: "wasm" | "ts";
      solvers: SolverInfo[];
      methods: { name: string; label: string }[];
      optimizers: string[];
      activations: string[];
      models: string[];
    }
  | { type: "problem"; summary: ProblemSummary }
  | { type: "progress"; event: ProgressEvent; bestLoss: number; fit?: FitData }
  | { type: "trained"; summary: TrainSummary }
  | { type: "log"; line: string }
  | { type: "table"; html: string; text: string; interrupted: boolean }
  | {
      type: "timing";
      model: string;
      method: string;
      n: number;
      loss: number;
      median_ms: number;
      min_ms: number;
      max_ms: number;
      repeat: number;
      interrupted: boolean;
    }
  | {
      type: "results";
      /** results.json text, as the CLI writes it. */
      json: string;
      history: { iteration: number; phase: "adam" | "lbfgs"; loss: number; elapsed_s: number }[];
      lossTitle: string;
      fitTitle: string;
      fit: FitData;
    }
  /** The worker finished a request (busy → idle). */
  | { type: "idle" }
  /** A request failed: the one-line message of the error (as the CLI prints it after "ude: "). */
  | { type: "error"; name: string; message: string; request: PageRequest["type"] };

/**
 * What every first-order optimiser shares, in the style of Optimisers.jl (Flux/FluxML): a rule
 * is an immutable description; `init(params)` returns its state, kept apart from the parameters;
 * `update(state, params, grad)` changes `params` in place, advances `state` in place and returns
 * it. Parameters and gradients are flat Float64Arrays (`flatten(ps).vector`), so one optimiser
 * serves a whole model, or a model combined with other blocks.
 *
 * Shared behaviour:
 * - the learning rate `eta` is a number or a schedule `t ↦ η_t` (t = 1 for the first update);
 * - `clipNorm: c` rescales the gradient to Euclidean norm c when its norm exceeds c (Pascanu,
 *   Mikolov & Bengio, ICML 2013, Alg. 2), without modifying the caller's gradient array;
 * - a NaN or ±Infinity gradient entry throws NonFiniteGradientError before anything changes;
 * - `stateToJSON(state)` / `stateFromJSON(json)` round-trip a state exactly (JSON numbers keep
 *   every float64 bit), so a training run can stop and resume identically.
 */
import { NonFiniteGradientError, OptimiserError } from "../errors.js";
import type { Schedule } from "./schedules.js";

/** A learning rate: constant, or a schedule of the update count t = 1, 2, … */
export type LearningRate = number | Schedule;

/** Options every first-order rule accepts. */
export interface CommonOptions {
  /** Learning rate (or schedule). */
  readonly eta?: LearningRate;
  /** Rescale gradients whose Euclidean norm exceeds this to exactly this norm. */
  readonly clipNorm?: number;
}

/** The state of a first-order rule: its name, the number of updates done, and its buffers. */
export interface OptimiserState {
  readonly rule: string;
  /** Number of updates applied so far. */
  t: number;
  /** Per-parameter buffers (moments, velocities), each as long as the parameter vector. */
  readonly buffers: { readonly [name: string]: Float64Array };
}

/** A first-order optimisation rule (Optimisers.jl's `AbstractRule`). */
export interface Optimiser {
  readonly name: string;
  /** Hyperparameters, for display and for checking a restored state (schedules show as "schedule"). */
  readonly hyperparameters: Readonly<Record<string, number | string>>;
  /** A fresh state for a parameter vector of this length. */
  init(params: Float64Array): OptimiserState;
  /** One step: params −= (rule's step from grad); state advances. Both in place; returns state. */
  update(state: OptimiserState, params: Float64Array, grad: Float64Array): OptimiserState;
}

/** Names other libraries use for these options (PyTorch, Optax, Keras), and ours. */
const ALIASES: Readonly<Record<string, string>> = {
  lr: "eta",
  learningRate: "eta",
  learning_rate: "eta",
  alpha: "eta",
  eps: "epsilon",
  betas: "beta1 and beta2",
  b1: "beta1",
  b2: "beta2",
  weightDecay: "lambda",
  weight_decay: "lambda",
  momentum: "rho",
  decay: "rho",
  clip: "clipNorm",
  clipnorm: "clipNorm",
  maxIter: "maxIterations",
  maxiter: "maxIterations",
  maxIters: "maxIterations",
  history: "memory",
  historySize: "memory",
};

/**
 * Throws OptimiserError for an options object with a name `rule` does not take (a misspelt or
 * another library's option would otherwise be ignored silently, e.g. Adam({ lr: 0.01 }) training
 * with the default η), naming our option when the name is another library's.
 */
export function checkOptionNames(
  rule: string,
  options: unknown,
  allowed: readonly string[],
  takesLearningRate = true,
): void {
  if (typeof options === "number" && takesLearningRate) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    const expected = takesLearningRate
      ? "a learning rate (a number) or an options object"
      : "an options object";
    throw new OptimiserError(
      `${rule}: options = ${JSON.stringify(options)}; expected ${expected}. Fix: e.g. ${rule}({ ${allowed[0]}: … }).`,
    );
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const ours = ALIASES[key];
    const hint = ours !== undefined && allowed.includes(ours.split(" ")[0]) ? ` (did you mean ${ours}?)` : "";
    throw new OptimiserError(
      `${rule}: unknown option "${key}"${hint}. ${rule} takes ${allowed.join(", ")}. Fix: rename or remove it.`,
    );
  }
}

/** η at update t. */
export function learningRate(eta: LearningRate, t: number): number {
  const value = typeof eta === "number" ? eta : eta(t);
  if (!Number.isFinite(value) || value < 0) {
    throw new OptimiserError(
      `learning rate at update ${t} is ${value}; expected a finite non-negative number. ` +
        "Fix: check the schedule's parameters (e.g. cosineDecay({ eta, period }) with eta > 0).",
    );
  }
  return value;
}

/** Validates a hyperparameter. */
export function checkHyper(
  rule: string,
  name: string,
  value: number,
  lo: number,
  hi: number,
  hint: string,
): number {
  if (!(Number.isFinite(value) && value >= lo && value <= hi)) {
    throw new OptimiserError(`${rule}: ${name} = ${value} is outside [${lo}, ${hi}]. Fix: ${hint}.`);
  }
  return value;
}

/** Validates a learning-rate option (a schedule is checked at each update). */
export function checkEta(rule: string, eta: LearningRate): LearningRate {
  if (typeof eta === "function") return eta;
  return checkHyper(
    rule,
    "eta",
    eta,
    0,
    Number.POSITIVE_INFINITY,
    "pass a non-negative learning rate such as 1e-3",
  );
}

/**
 * Checks lengths and finiteness and returns the gradient scale factor of norm clipping
 * (1 when not clipping). Runs before any buffer is touched, so a bad gradient changes nothing.
 */
export function prepareUpdate(
  rule: string,
  state: OptimiserState,
  params: Float64Array,
  grad: Float64Array,
  clipNorm: number | undefined,
): number {
  if (state === null || typeof state !== "object" || state.rule !== rule) {
    throw new OptimiserError(
      `${rule}.update: the state belongs to ${state && typeof state === "object" ? `rule "${state.rule}"` : "no rule"}. ` +
        `Expected the state returned by ${rule}(...).init(params). Fix: create the state with this optimiser's init.`,
    );
  }
  const n = params.length;
  if (grad.length !== n) {
    throw new OptimiserError(
      `${rule}.update: gradient has ${grad.length} entries but the parameters have ${n}. ` +
        "Fix: pass the gradient of the same flat vector (flatten(ps).vector).",
    );
  }
  for (const [name, buffer] of Object.entries(state.buffers)) {
    if (buffer.length !== n) {
      throw new OptimiserError(
        `${rule}.update: state buffer "${name}" has ${buffer.length} entries but the parameters have ${n}. ` +
          "Fix: call init(params) for this parameter vector (the state was made for another one).",
      );
    }
  }
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    if (!Number.isFinite(g)) throw new NonFiniteGradientError(i, g, `${rule}.update`);
    sq += g * g;
  }
  if (clipNorm === undefined) return 1;
  const norm = Math.sqrt(sq);
  return norm > clipNorm ? clipNorm / norm : 1;
}

/** Validates the clipNorm option. */
export function checkClip(rule: string, clipNorm: number | undefined): number | undefined {
  if (clipNorm === undefined) return undefined;
  return checkHyper(
    rule,
    "clipNorm",
    clipNorm,
    Number.MIN_VALUE,
    Number.POSITIVE_INFINITY,
    "pass a positive norm",
  );
}

/** A state with zero-filled buffers of the parameter length. */
export function freshState(
  rule: string,
  params: Float64Array,
  bufferNames: readonly string[],
): OptimiserState {
  const buffers: Record<string, Float64Array> = {};
  for (const name of bufferNames) buffers[name] = new Float64Array(params.length);
  return { rule, t: 0, buffers };
}

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A serialised optimiser state, as `stateToJSON` writes it. */
export interface StateJSON {
  readonly format: "udekit-optimiser-state";
  readonly version: 1;
  readonly state: Json;
}

function encode(value: unknown, path: string): Json {
  if (value instanceof Float64Array) {
    const values: number[] = [];
    for (let i = 0; i < value.length; i++) {
      if (!Number.isFinite(value[i])) {
        throw new OptimiserError(
          `stateToJSON: ${path}[${i}] is ${value[i]}, which JSON cannot hold. Expected finite state entries. ` +
            "Fix: a state with NaN/Infinity came from a diverged run: restart from an earlier checkpoint.",
        );
      }
      values.push(value[i]);
    }
    return { float64: values };
  }
  if (Array.isArray(value)) return value.map((v, i) => encode(v, `${path}[${i}]`));
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return { number: String(value) };
    return value;
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value as object)) out[k] = encode(v, `${path}.${k}`);
    return out;
  }
  throw new OptimiserError(
    `stateToJSON: ${path} is a ${typeof value}; optimiser states hold numbers and arrays only.`,
  );
}

function decode(value: Json): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "float64" && Array.isArray(value.float64)) {
      return Float64Array.from(value.float64 as number[]);
    }
    if (keys.length === 1 && keys[0] === "number" && typeof value.number === "string")
      return Number(value.number);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = decode(v);
    return out;
  }
  return value;
}

/** A plain JSON-serialisable copy of an optimiser state (first-order rules and LBFGS alike). */
export function stateToJSON(state: object): StateJSON {
  return { format: "udekit-optimiser-state", version: 1, state: encode(state, "state") };
}

/**
 * The state saved by `stateToJSON` (after any JSON.stringify/parse round trip). `rule`, when
 * given, must match the saved state's rule.
 */
export function stateFromJSON<S = OptimiserState>(json: StateJSON, rule?: string): S {
  if (
    json === null ||
    typeof json !== "object" ||
    json.format !== "udekit-optimiser-state" ||
    json.version !== 1
  ) {
    throw new OptimiserError(
      "stateFromJSON: not a saved optimiser state. Expected the object stateToJSON returned " +
        '({ format: "udekit-optimiser-state", version: 1, state }). Fix: pass that object, or JSON.parse of its text.',
    );
  }
  const state = decode(json.state) as { rule?: unknown };
  if (rule !== undefined && state.rule !== rule) {
    throw new OptimiserError(
      `stateFromJSON: the saved state belongs to rule "${String(state.rule)}", not "${rule}". ` +
        "Fix: restore it with the optimiser that saved it.",
    );
  }
  return state as S;
}

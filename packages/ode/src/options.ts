/**
 * Solve options, their defaults and their validation. Every option is checked before the
 * solve starts; a misspelt name throws UnknownOptionError naming the closest valid one.
 * Defaults follow DifferentialEquations.jl / scipy where they agree.
 */
import { allocationLimit } from "@udekit/kernels";
import { InvalidOptionError, UnknownOptionError } from "./errors.js";

/**
 * Parameters of the PI step-size controller (Hairer–Nørsett–Wanner I, §II.4; Gustafsson 1991).
 * Defaults: a method's own literature values when it declares them (`controllerDefaults`,
 * e.g. DP5 uses those of Hairer's DOPRI5 code), otherwise the generic ones below; any field
 * the user passes overrides both.
 */
export interface ControllerOptions {
  /** Exponent on the current error (default 0.7/k, k = error-estimator order + 1). */
  beta1?: number;
  /** Exponent on the previous accepted error (default 0.4/k; 0 gives the classical I controller). */
  beta2?: number;
  /** Safety factor applied to every proposed step (default 0.9). */
  safety?: number;
  /** Smallest step ratio h_new/h (default 0.2). */
  qmin?: number;
  /** Largest step ratio h_new/h (default 10). */
  qmax?: number;
}

export interface SolveOptions {
  /** Relative tolerance (default 1e-3). */
  reltol?: number;
  /** Absolute tolerance: one number or one per component (default 1e-6). */
  abstol?: number | ArrayLike<number>;
  /** Output times: a spacing (t0, t0 ± s, …, t1) or an array of times inside tspan. Served by dense interpolation. */
  saveat?: number | ArrayLike<number>;
  /** Save every accepted step (default: true when saveat is not given). */
  saveEverystep?: boolean;
  /** Times the integrator must step to exactly (discontinuities, forcing switches). */
  tstops?: ArrayLike<number>;
  /** Initial step (adaptive) or the step (fixed-step); required for fixed-step methods. */
  dt?: number;
  /** Adaptive step control (default: true for methods with an error estimate). */
  adaptive?: boolean;
  /** Smallest step magnitude before DtLessThanMin (default 16·eps·max(|t|, 1)... see README). */
  dtmin?: number;
  /** Largest step magnitude (default |t1 − t0|). */
  dtmax?: number;
  /** Step budget (accepted + rejected) before MaxIters (default 100 000). */
  maxiters?: number;
  /** Keep every step's interpolation data so that sol.at(t) works anywhere (default: saveat not given). */
  dense?: boolean;
  /** PI controller parameters. */
  controller?: ControllerOptions;
}

export const OPTION_NAMES = [
  "reltol",
  "abstol",
  "saveat",
  "saveEverystep",
  "tstops",
  "dt",
  "adaptive",
  "dtmin",
  "dtmax",
  "maxiters",
  "dense",
  "controller",
] as const;

const CONTROLLER_NAMES = ["beta1", "beta2", "safety", "qmin", "qmax"] as const;

/** Options after validation, with defaults filled in and times sorted in the direction of integration. */
export interface ResolvedOptions {
  reltol: number;
  /** One per component; given as one number, the vector is shared with other solves: read only. */
  abstol: Float64Array;
  /** Output times (sorted in the direction of integration), or undefined to save every step. */
  saveat: Float64Array | undefined;
  saveEverystep: boolean;
  tstops: Float64Array;
  dt: number | undefined;
  adaptive: boolean;
  dtmin: number | undefined;
  dtmax: number;
  maxiters: number;
  dense: boolean;
  controller: Required<ControllerOptions>;
}

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
    }
  }
  return d[a.length][b.length];
}

/** The valid name closest to `name` (case-insensitive edit distance), if reasonably close. */
export function closestName(name: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const v of valid) {
    const dist = editDistance(name.toLowerCase(), v.toLowerCase());
    if (dist < bestD) {
      bestD = dist;
      best = v;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 2)) ? best : undefined;
}

function checkKeys(obj: object, valid: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!valid.includes(key)) {
      const err = new UnknownOptionError(key, closestName(key, valid), valid);
      if (where !== "") err.message = err.message.replace("unknown option", `unknown ${where} option`);
      throw err;
    }
  }
}

function positiveNumber(name: string, v: unknown, allowZero = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new InvalidOptionError(
      `@udekit/ode: option ${name} = ${String(v)} must be a finite number ${allowZero ? "≥ 0" : "> 0"}.`,
    );
  }
  return v;
}

function timesInSpan(name: string, v: ArrayLike<number>, t0: number, t1: number): Float64Array {
  const dir = Math.sign(t1 - t0);
  const lo = Math.min(t0, t1);
  const hi = Math.max(t0, t1);
  const out = Float64Array.from(v);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]) || out[i] < lo || out[i] > hi) {
      throw new InvalidOptionError(
        `@udekit/ode: ${name}[${i}] = ${out[i]} lies outside tspan [${t0}, ${t1}]; every ${name} time must be finite and inside the time span.`,
      );
    }
  }
  out.sort();
  if (dir < 0) out.reverse();
  return out;
}

/**
 * One number's tolerance vector, shared by the solves that use the same (n, value) — the last
 * two are kept — and only ever read. A fresh n-vector per solve was one of a gradient's
 * first-touch costs at large n (gradbench ode, n = 10⁵: 0.5–0.7 ms each, kernels README).
 */
function uniformTolerance(n: number, value: number): Float64Array {
  for (const t of recentTolerances) if (t.length === n && t[0] === value) return t;
  const t = new Float64Array(n).fill(value);
  recentTolerances.unshift(t);
  recentTolerances.length = Math.min(recentTolerances.length, 2);
  return t;
}
const recentTolerances: Float64Array[] = [];

/** tstops when none are given: shared by every solve and only read (`new Float64Array(0)` costs ≈ 0.18 µs, plus its garbage). */
const NO_TIMES = new Float64Array(0);

function checkFlag(name: string, v: unknown): void {
  if (v !== undefined && typeof v !== "boolean") {
    throw new InvalidOptionError(`@udekit/ode: option ${name} = ${String(v)} must be true or false.`);
  }
}

/** Validates user options for a problem of dimension n on [t0, t1] and a solver. */
export function resolveOptions(
  options: SolveOptions,
  n: number,
  t0: number,
  t1: number,
  solver: {
    adaptive: boolean;
    name: string;
    errorOrder: number;
    /** The method's own controller defaults from its literature (see ControllerOptions). */
    readonly controllerDefaults?: Readonly<ControllerOptions>;
  },
): ResolvedOptions {
  if (options === null || typeof options !== "object") {
    throw new InvalidOptionError("@udekit/ode: options must be an object such as { reltol: 1e-6 }.");
  }
  checkKeys(options, OPTION_NAMES, "");
  const reltol = options.reltol === undefined ? 1e-3 : positiveNumber("reltol", options.reltol, true);
  let abstol: Float64Array;
  if (options.abstol === undefined) abstol = uniformTolerance(n, 1e-6);
  else if (typeof options.abstol === "number") {
    abstol = uniformTolerance(n, positiveNumber("abstol", options.abstol, true));
  } else {
    if (options.abstol.length !== n) {
      throw new InvalidOptionError(
        `@udekit/ode: abstol has ${options.abstol.length} entries but the state has ${n}; pass one number or one tolerance per component.`,
      );
    }
    abstol = Float64Array.from(options.abstol);
    abstol.forEach((a, i) => {
      positiveNumber(`abstol[${i}]`, a, true);
    });
  }
  if (reltol === 0 && abstol.some((a) => a === 0)) {
    throw new InvalidOptionError(
      "@udekit/ode: reltol and abstol are both 0 for some component; the error test could never pass. Give a positive tolerance.",
    );
  }
  const span = Math.abs(t1 - t0);
  let saveat: Float64Array | undefined;
  if (options.saveat !== undefined) {
    if (typeof options.saveat === "number") {
      saveat = saveatGrid(t0, t1, positiveNumber("saveat", options.saveat));
    } else {
      saveat = timesInSpan("saveat", options.saveat, t0, t1);
    }
  }
  const tstops = options.tstops === undefined ? NO_TIMES : timesInSpan("tstops", options.tstops, t0, t1);
  const adaptive = options.adaptive ?? solver.adaptive;
  if (typeof adaptive !== "boolean") {
    throw new InvalidOptionError(`@udekit/ode: option adaptive = ${String(adaptive)} must be true or false.`);
  }
  if (adaptive && !solver.adaptive) {
    throw new InvalidOptionError(
      `@udekit/ode: ${solver.name} has no error estimate and cannot adapt its step; drop adaptive: true and give dt, or use an adaptive method (Tsit5, DP5, BS3, Vern7, Rodas4).`,
    );
  }
  const dt = options.dt === undefined ? undefined : positiveNumber("dt", options.dt);
  if (!adaptive && dt === undefined) {
    throw new InvalidOptionError(
      `@udekit/ode: fixed-step integration with ${solver.name} needs a step: pass { dt: … } (e.g. dt: ${(span / 100).toPrecision(2)}).`,
    );
  }
  const dtmin = options.dtmin === undefined ? undefined : positiveNumber("dtmin", options.dtmin, true);
  const dtmax = options.dtmax === undefined ? span : positiveNumber("dtmax", options.dtmax);
  const maxiters = options.maxiters === undefined ? 100_000 : positiveNumber("maxiters", options.maxiters);
  if (!Number.isInteger(maxiters)) {
    throw new InvalidOptionError(`@udekit/ode: maxiters = ${maxiters} must be a positive integer.`);
  }
  checkFlag("dense", options.dense);
  checkFlag("saveEverystep", options.saveEverystep);
  const dense = options.dense ?? saveat === undefined;
  const saveEverystep = options.saveEverystep ?? saveat === undefined;
  const c = options.controller ?? {};
  if (typeof c !== "object" || c === null) {
    throw new InvalidOptionError(
      "@udekit/ode: controller must be an object { beta1, beta2, safety, qmin, qmax }.",
    );
  }
  checkKeys(c, CONTROLLER_NAMES, "controller");
  const k = solver.errorOrder + 1;
  const m = solver.controllerDefaults ?? {};
  const controller: Required<ControllerOptions> = {
    beta1: c.beta1 === undefined ? (m.beta1 ?? 0.7 / k) : positiveNumber("controller.beta1", c.beta1),
    beta2: c.beta2 === undefined ? (m.beta2 ?? 0.4 / k) : positiveNumber("controller.beta2", c.beta2, true),
    safety: c.safety === undefined ? (m.safety ?? 0.9) : positiveNumber("controller.safety", c.safety),
    qmin: c.qmin === undefined ? (m.qmin ?? 0.2) : positiveNumber("controller.qmin", c.qmin),
    qmax: c.qmax === undefined ? (m.qmax ?? 10) : positiveNumber("controller.qmax", c.qmax),
  };
  if (controller.safety > 1 || controller.qmin >= 1 || controller.qmax <= 1) {
    throw new InvalidOptionError(
      `@udekit/ode: controller needs safety ≤ 1, qmin < 1 < qmax; got safety = ${controller.safety}, qmin = ${controller.qmin}, qmax = ${controller.qmax}.`,
    );
  }
  return {
    reltol,
    abstol,
    saveat,
    saveEverystep,
    tstops,
    dt,
    adaptive,
    dtmin,
    dtmax,
    maxiters,
    dense,
    controller,
  };
}

/**
 * The save times of a numeric saveat: t0, t0 + step, … towards t1, always ending at t1 exactly
 * (a last point within 1e-12 of the span from t1 is moved onto it rather than repeated).
 */
export function saveatGrid(t0: number, t1: number, step: number): Float64Array {
  const span = Math.abs(t1 - t0);
  const count = Math.floor(span / step + 1e-9);
  // A step far below the span (e.g. 1e-12 over [0, 1]) would build 10¹² times before anything
  // else could refuse them: refuse here, with the allocation limit every other array obeys.
  if ((count + 2) * 8 > allocationLimit()) {
    throw new InvalidOptionError(
      `@udekit/ode: saveat = ${step} over tspan [${t0}, ${t1}] asks for ${count + 1} save points, more than one array may hold (setAllocationLimit). Pass a larger step, or the times you need as an array.`,
    );
  }
  const dir = Math.sign(t1 - t0);
  const times: number[] = [];
  for (let i = 0; i <= count; i++) times.push(t0 + dir * i * step);
  if (Math.abs(times[times.length - 1] - t1) > 1e-12 * Math.max(1, span)) times.push(t1);
  else times[times.length - 1] = t1;
  return Float64Array.from(times);
}

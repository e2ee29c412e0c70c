/**
 * The times `ude predict` reports (--saveat, --saveat-n, --until): a grid start:step:stop, a
 * list of times, or a count of evenly spaced times, checked before anything is allocated (a grid
 * of 10¹⁵ points is refused from its count, never built). Times may go beyond the last
 * observation (extrapolation) but not before the initial condition's time t₀: the model is solved
 * forward from u(t₀).
 */
import { OptionError } from "./errors.js";

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The requested times, as a count and a way to make them (so the count is checked first). */
export interface SaveatRequest {
  /** How the times were asked for, for messages (e.g. "--saveat 0:0.01:20"). */
  option: string;
  count: number;
  /** The times; call only after the count has been checked. */
  times(): number[];
}

function number(option: string, field: string, whole: string, example: string): number {
  const s = field.trim();
  const x = NUMBER.test(s) ? Number(s) : Number.NaN;
  if (!Number.isFinite(x)) {
    throw new OptionError(
      `${option} "${whole}" contains "${s}", which is not a finite number. Fix: ${example}.`,
    );
  }
  return x;
}

const SAVEAT_EXAMPLE =
  "pass a grid start:step:stop such as --saveat 1:0.01:20, or increasing times such as --saveat 1,1.5,2,10";

function notBefore(option: string, first: number, t0: number): void {
  if (first < t0) {
    throw new OptionError(
      `${option} starts at t = ${first}, before the initial condition's time t₀ = ${t0} (the first observation): ` +
        `the model is solved forward from u(t₀). Fix: start at ${t0} or later, e.g. --saveat ${t0}:0.01:${t0 + 20}.`,
    );
  }
}

/** `--saveat start:step:stop` (stop included when the steps reach it) or `--saveat t1,t2,…`. */
export function parseSaveat(text: string, t0: number): SaveatRequest {
  const option = `--saveat ${text}`;
  const parts = text.split(":");
  if (parts.length === 3) {
    const [start, step, stop] = parts.map((p) => number("--saveat", p, text, SAVEAT_EXAMPLE));
    if (!(step > 0)) {
      throw new OptionError(
        `--saveat "${text}" has step ${step}; the step must be > 0. Fix: e.g. --saveat ${start}:0.01:${stop}.`,
      );
    }
    if (!(stop >= start)) {
      throw new OptionError(
        `--saveat "${text}" stops at ${stop}, before its start ${start}. Fix: give start:step:stop with stop ≥ start, e.g. --saveat ${stop}:${step}:${start}.`,
      );
    }
    notBefore(option, start, t0);
    // The last step reaches stop when (stop − start)/step is a whole number up to rounding (the
    // quotient's relative rounding error is a few ε).
    const q = (stop - start) / step;
    const steps = Math.floor(q + 1e-9 + 4 * Number.EPSILON * q);
    return {
      option,
      count: steps + 1,
      // start + k·step rounded to 15 significant digits: 0:0.1:1 gives 0.3, not 0.30000000000000004
      // (the time asked for; the rounding moves a time by at most 5e-16 relative).
      times: () =>
        Array.from({ length: steps + 1 }, (_, k) => {
          const t = Number((start + k * step).toPrecision(15));
          return k === steps && Math.abs(t - stop) <= 1e-9 * step ? stop : Math.min(t, stop);
        }),
    };
  }
  if (parts.length !== 1) {
    throw new OptionError(
      `--saveat "${text}" is neither start:step:stop nor a list. Fix: ${SAVEAT_EXAMPLE}.`,
    );
  }
  const times = text.split(",").map((p) => number("--saveat", p, text, SAVEAT_EXAMPLE));
  for (let k = 1; k < times.length; k++) {
    if (!(times[k] > times[k - 1])) {
      throw new OptionError(
        `--saveat must list times in increasing order, but ${times[k - 1]} is followed by ${times[k]}. Fix: sort the times (each at most once), e.g. --saveat ${[...new Set(times)].sort((a, b) => a - b).join(",")}.`,
      );
    }
  }
  notBefore(option, times[0], t0);
  return { option, count: times.length, times: () => times };
}

/** `--saveat-n N [--until T]`: N evenly spaced times from t₀ to T (default: the last observation). */
export function parseSaveatN(
  text: string,
  until: string | undefined,
  t0: number,
  tLast: number,
): SaveatRequest {
  const x = /^\+?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(x) || x < 2) {
    throw new OptionError(
      `--saveat-n must be a whole number ≥ 2 (the times include t₀ and the end), got "${text}". Fix: e.g. --saveat-n 500.`,
    );
  }
  const end =
    until === undefined
      ? tLast
      : number("--until", until, until, `pass an end time, e.g. --until ${tLast * 2}`);
  if (!(end > t0)) {
    throw new OptionError(
      `--until ${until} is not after the initial condition's time t₀ = ${t0}: the model is solved forward from u(t₀). Fix: pass a later end time, e.g. --until ${t0 + 10}.`,
    );
  }
  return {
    option: `--saveat-n ${text}${until !== undefined ? ` --until ${until}` : ""}`,
    count: x,
    times: () => Array.from({ length: x }, (_, k) => (k === x - 1 ? end : t0 + ((end - t0) * k) / (x - 1))),
  };
}

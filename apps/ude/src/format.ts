/**
 * How the app prints numbers for people: durations (milliseconds below 10 s, seconds from 10 s,
 * minutes from a minute), losses, tolerances and the values of settings in the report. Files
 * meant for programs (results.json, --json) keep the full numbers.
 */

/** Seconds as "9.6 s", "42 s", "3 min 05 s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "—";
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${s.toFixed(0)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - 60 * m);
  // 119.6 s rounds to "1 min 60 s" otherwise.
  return rest === 60 ? `${m + 1} min 00 s` : `${m} min ${String(rest).padStart(2, "0")} s`;
}

/** Milliseconds as "15.6 ms", "282 ms", and from 10 s on in seconds ("151.7 s", "3 min 05 s"). */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  if (ms >= 60_000) return formatSeconds(ms / 1000);
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** A loss to 6 significant digits; Infinity and NaN as such. */
export function formatLoss(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(6) : String(x);
}

/** A tolerance as 1e-6 rather than 0.000001. */
export function formatTol(x: number): string {
  return x.toExponential().replace("e+", "e");
}

/**
 * How a solve is set, for headers: `Tsit5, reltol 1e-6, abstol 1e-8`, or for a fixed-step solver
 * (which ignores the tolerances) `RK4, dt 0.01`.
 */
export function solveLabel(s: { solver: string; reltol: number; abstol: number; dt?: number }): string {
  return s.dt !== undefined
    ? `${s.solver}, dt ${s.dt}`
    : `${s.solver}, reltol ${formatTol(s.reltol)}, abstol ${formatTol(s.abstol)}`;
}

/** solveLabel of a problem's solve settings. */
export function solveSettingsLabel(s: {
  solver: { name: string; adaptive: boolean };
  reltol: number;
  abstol: number;
  dt?: number;
}): string {
  return solveLabel({ ...s, solver: s.solver.name, ...(s.solver.adaptive ? { dt: undefined } : {}) });
}

/**
 * A setting's value for the report: durations (keys ending in `_s`) as formatSeconds, other
 * fractions to 6 significant digits (4.9484860159999995 → 4.94849, 1e-6 stays 1e-6), lists
 * joined by commas.
 */
export function formatSetting(key: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => formatSetting("", v)).join(", ");
  if (typeof value !== "number") return String(value);
  if (key.endsWith("_s")) return formatSeconds(value);
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  const a = Math.abs(value);
  if (a < 1e-3 || a >= 1e6) return formatTol(Number(value.toPrecision(6)));
  return String(Number(value.toPrecision(6)));
}

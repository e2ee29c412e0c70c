/**
 * The Butcher tableau of an explicit Runge–Kutta method with an embedded error estimate and
 * the extra stages its dense output needs, validated on construction:
 * Σⱼ aᵢⱼ = cᵢ (row-sum condition), Σ bᵢ = 1, Σ bErrᵢ = 0, A strictly lower triangular.
 * FSAL ("first same as last") is derived: the last stage is evaluated at (t + h, y₁) when
 * its row of A equals b and its node is 1, so it is the next step's first stage.
 * References: Butcher, Numerical Methods for ODEs (2016) §23; Hairer–Nørsett–Wanner I §II.1, §II.4.
 *
 * Stage layout: stages 0…s−1 are the method; then, for a method that is not FSAL, one
 * "end stage" f(t + h, y₁) (row = b, c = 1) is appended — the next step's first stage, needed
 * by every dense output; then the method's own extra dense-output stages (e.g. Vern7's).
 */
import { InvalidTableauError } from "../errors.js";

export interface ButcherTableau {
  /** Stages of one step (s). */
  readonly stages: number;
  /** All stages: method + end stage (if not FSAL) + dense-output extras. */
  readonly totalStages: number;
  /** Nodes c of all stages. */
  readonly c: Float64Array;
  /** Coefficients a (totalStages × totalStages, row-major, strictly lower triangular). */
  readonly a: Float64Array;
  /** Solution weights b (length s). */
  readonly b: Float64Array;
  /** Error weights b − b̂ (length s), or undefined for a method without an embedded estimate. */
  readonly bErr: Float64Array | undefined;
  /** True when the last stage is f(t + h, y₁) and is reused as the next step's first stage. */
  readonly fsal: boolean;
  /** Index of the stage f(t + h, y₁): s − 1 when FSAL, else s. */
  readonly endStage: number;
}

export interface ButcherTableauSpec {
  /** Nodes of the s stages (c₁ = 0). */
  c: readonly number[];
  /** Rows 2…s of A (row i holds aᵢ₁ … aᵢ,ᵢ₋₁). */
  a: readonly (readonly number[])[];
  b: readonly number[];
  /** b − b̂: the weights whose combination h·Σ bErrᵢ kᵢ is the local error estimate. */
  bErr?: readonly number[];
  /** Extra dense-output stages after the end stage: node and row (aⱼ over all earlier stages). */
  extra?: readonly { c: number; a: readonly number[] }[];
  /** Tolerance of the consistency checks (default 1e-12, relative). */
  tol?: number;
}

function check(cond: boolean, message: string): void {
  if (!cond) throw new InvalidTableauError(`@udekit/ode: invalid Butcher tableau: ${message}`);
}

/** Builds and validates a ButcherTableau. */
export function butcherTableau(spec: ButcherTableauSpec): ButcherTableau {
  const tol = spec.tol ?? 1e-12;
  const s = spec.c.length;
  check(s >= 1, "it needs at least one stage.");
  check(spec.a.length === s - 1, `A must have ${s - 1} rows (stages 2…${s}); got ${spec.a.length}.`);
  check(spec.b.length === s, `b must have ${s} entries; got ${spec.b.length}.`);
  check(spec.c[0] === 0, `c₁ must be 0 for an explicit method; got ${spec.c[0]}.`);
  spec.a.forEach((row, i) => {
    check(
      row.length === i + 1,
      `row ${i + 2} of A must have ${i + 1} entries (strictly lower); got ${row.length}.`,
    );
  });
  const bSum = spec.b.reduce((x, y) => x + y, 0);
  check(Math.abs(bSum - 1) <= tol * s, `Σ b = ${bSum}, expected 1.`);
  const lastRow = s > 1 ? spec.a[s - 2] : [];
  const fsal =
    s > 1 &&
    spec.c[s - 1] === 1 &&
    spec.b[s - 1] === 0 &&
    lastRow.every((v, j) => Math.abs(v - spec.b[j]) <= tol * Math.max(1, Math.abs(v)));
  const extra = spec.extra ?? [];
  const total = s + (fsal ? 0 : 1) + extra.length;
  const c = new Float64Array(total);
  const a = new Float64Array(total * total);
  for (let i = 0; i < s; i++) c[i] = spec.c[i];
  spec.a.forEach((row, i) => {
    row.forEach((v, j) => {
      a[(i + 1) * total + j] = v;
    });
  });
  let next = s;
  if (!fsal) {
    c[s] = 1;
    for (let j = 0; j < s; j++) a[s * total + j] = spec.b[j];
    next = s + 1;
  }
  for (const e of extra) {
    check(
      e.a.length <= next,
      `extra stage ${next + 1} refers to ${e.a.length} earlier stages but only ${next} exist.`,
    );
    c[next] = e.c;
    e.a.forEach((v, j) => {
      a[next * total + j] = v;
    });
    next++;
  }
  for (let i = 0; i < total; i++) {
    let sum = 0;
    let scale = 1;
    for (let j = 0; j < i; j++) {
      sum += a[i * total + j];
      scale += Math.abs(a[i * total + j]);
    }
    check(
      Math.abs(sum - c[i]) <= tol * scale,
      `row ${i + 1} of A sums to ${sum} but c${i + 1} = ${c[i]} (Σⱼ aᵢⱼ = cᵢ).`,
    );
  }
  let bErr: Float64Array | undefined;
  if (spec.bErr !== undefined) {
    check(spec.bErr.length === s, `bErr must have ${s} entries; got ${spec.bErr.length}.`);
    const eSum = spec.bErr.reduce((x, y) => x + y, 0);
    const eScale = spec.bErr.reduce((x, y) => x + Math.abs(y), 0);
    check(Math.abs(eSum) <= tol * Math.max(1, eScale), `Σ bErr = ${eSum}, expected 0.`);
    bErr = Float64Array.from(spec.bErr);
  }
  return {
    stages: s,
    totalStages: total,
    c,
    a,
    b: Float64Array.from(spec.b),
    bErr,
    fsal,
    endStage: fsal ? s - 1 : s,
  };
}

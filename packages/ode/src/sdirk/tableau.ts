/**
 * Tableaus of ESDIRK methods (explicit first stage, singly diagonally implicit, stiffly
 * accurate), validated on construction:
 *   c₁ = 0, a₁₁ = 0 (the first stage is f(t, y), the step start's derivative);
 *   aᵢᵢ = γ > 0 for i ≥ 2 (one W = I − hγJ serves every implicit stage);
 *   A lower triangular, Σⱼ aᵢⱼ = cᵢ, Σ b = 1, Σ bErr = 0;
 *   b = the last row of A and c_s = 1 (stiffly accurate: y₁ is the last stage value, so
 *   f(t₁, y₁) comes from the last stage's Newton solution and is the next step's first stage).
 * The engine (engine.ts) only handles this shape; these conditions say so up front instead of
 * solving a different method. The order conditions are those of every Runge–Kutta method, so
 * tableau/order-conditions.ts applies to the full A (its elementary weights sum over all j).
 * References: Kennedy & Carpenter, "Diagonally implicit Runge–Kutta methods for ODEs: a review",
 * NASA/TM-2016-219173, §2 (ESDIRK structure, stiff accuracy); Hairer–Wanner II §IV.6.
 */
import { InvalidTableauError } from "../errors.js";

export interface SdirkTableau {
  readonly stages: number;
  /** The diagonal aᵢᵢ of the implicit stages. */
  readonly gamma: number;
  /** Nodes c (length s). */
  readonly c: Float64Array;
  /** A (s×s row-major, lower triangular including the diagonal). */
  readonly a: Float64Array;
  /** Solution weights b (= the last row of A). */
  readonly b: Float64Array;
  /** Error weights b − b̂ (length s). */
  readonly bErr: Float64Array;
  /**
   * Starting guesses of the Newton iterations: zᵢ⁰ = Σⱼ<ᵢ predict[i·s + j]·zⱼ (zⱼ = h·f of stage j),
   * s×s row-major, strictly lower. Only speed depends on them, never the solution.
   */
  readonly predict: Float64Array;
}

export interface SdirkTableauSpec {
  c: readonly number[];
  /** Rows of A with the diagonal: row i holds aᵢ₁ … aᵢᵢ (the first row [0]). */
  a: readonly (readonly number[])[];
  b: readonly number[];
  bErr: readonly number[];
  /** Rows 2…s of the Newton predictor (row i: weights on z₁ … zᵢ₋₁); default zᵢ⁰ = zᵢ₋₁. */
  predict?: readonly (readonly number[])[];
  /** Tolerance of the consistency checks (default 1e-12, relative). */
  tol?: number;
}

function check(cond: boolean, message: string): void {
  if (!cond) throw new InvalidTableauError(`@udekit/ode: invalid SDIRK tableau: ${message}`);
}

/** Builds and validates an ESDIRK tableau. */
export function sdirkTableau(spec: SdirkTableauSpec): SdirkTableau {
  const tol = spec.tol ?? 1e-12;
  const s = spec.c.length;
  check(s >= 2, `it needs at least two stages (an explicit one and an implicit one); got ${s}.`);
  check(spec.a.length === s, `A must have ${s} rows; got ${spec.a.length}.`);
  for (const [name, v] of [
    ["b", spec.b],
    ["bErr", spec.bErr],
  ] as const) {
    check(v.length === s, `${name} must have ${s} entries; got ${v.length}.`);
  }
  spec.a.forEach((row, i) => {
    check(
      row.length === i + 1,
      `row ${i + 1} of A must have ${i + 1} entries (lower triangle with the diagonal); got ${row.length}.`,
    );
  });
  check(
    spec.c[0] === 0 && spec.a[0][0] === 0,
    "the first stage must be explicit (c₁ = 0, a₁₁ = 0): the engine takes it as f(t, y).",
  );
  const gamma = spec.a[1][1];
  check(gamma > 0, `the diagonal γ must be positive; got a₂₂ = ${gamma}.`);
  for (let i = 1; i < s; i++) {
    check(
      spec.a[i][i] === gamma,
      `every implicit stage must have the diagonal γ = ${gamma} (one W-matrix); a${i + 1}${i + 1} = ${spec.a[i][i]}.`,
    );
  }
  const a = new Float64Array(s * s);
  spec.a.forEach((row, i) => {
    row.forEach((v, j) => {
      a[i * s + j] = v;
    });
  });
  for (let i = 0; i < s; i++) {
    let sum = 0;
    let scale = 1;
    for (let j = 0; j <= i; j++) {
      sum += a[i * s + j];
      scale += Math.abs(a[i * s + j]);
    }
    check(
      Math.abs(sum - spec.c[i]) <= tol * scale,
      `row ${i + 1} of A sums to ${sum} but c${i + 1} = ${spec.c[i]} (Σⱼ aᵢⱼ = cᵢ).`,
    );
  }
  const bSum = spec.b.reduce((x, y) => x + y, 0);
  check(Math.abs(bSum - 1) <= tol * s, `Σ b = ${bSum}, expected 1.`);
  const eSum = spec.bErr.reduce((x, y) => x + y, 0);
  const eScale = spec.bErr.reduce((x, y) => x + Math.abs(y), 0);
  check(Math.abs(eSum) <= tol * Math.max(1, eScale), `Σ bErr = ${eSum}, expected 0.`);
  check(
    spec.c[s - 1] === 1 &&
      spec.b.every((v, j) => Math.abs(v - a[(s - 1) * s + j]) <= tol * Math.max(1, Math.abs(v))),
    "the method must be stiffly accurate (b = the last row of A, c_s = 1): the engine takes y₁ as the last stage.",
  );
  const predict = new Float64Array(s * s);
  const rows = spec.predict ?? Array.from({ length: s - 1 }, (_, i) => [...new Array(i).fill(0), 1]);
  check(rows.length === s - 1, `predict must have ${s - 1} rows (stages 2…${s}); got ${rows.length}.`);
  rows.forEach((row, k) => {
    const i = k + 1;
    check(
      row.length <= i,
      `row ${i + 1} of predict may weight only the ${i} earlier stages; got ${row.length} entries.`,
    );
    row.forEach((v, j) => {
      predict[i * s + j] = v;
    });
  });
  return {
    stages: s,
    gamma,
    c: Float64Array.from(spec.c),
    a,
    b: Float64Array.from(spec.b),
    bErr: Float64Array.from(spec.bErr),
    predict,
  };
}

/**
 * R(z) = 1 + z·bᵀ(I − zA)⁻¹𝟙 at a complex z = x + iy, as [Re, Im] (Hairer–Wanner II §IV.3,
 * eq. (3.2)): by forward substitution, A being lower triangular. For tests of A- and L-stability.
 */
export function sdirkStability(tab: SdirkTableau, x: number, y: number): [number, number] {
  const s = tab.stages;
  // Solve (I − zA)g = 𝟙 for g = gr + i·gi.
  const gr = new Float64Array(s);
  const gi = new Float64Array(s);
  for (let i = 0; i < s; i++) {
    let rr = 1;
    let ri = 0;
    for (let j = 0; j < i; j++) {
      const aij = tab.a[i * s + j];
      // + z·aᵢⱼ·gⱼ
      rr += aij * (x * gr[j] - y * gi[j]);
      ri += aij * (x * gi[j] + y * gr[j]);
    }
    // divide by 1 − z·aᵢᵢ
    const dr = 1 - x * tab.a[i * s + i];
    const di = -y * tab.a[i * s + i];
    const den = dr * dr + di * di;
    gr[i] = (rr * dr + ri * di) / den;
    gi[i] = (ri * dr - rr * di) / den;
  }
  let sr = 0;
  let si = 0;
  for (let i = 0; i < s; i++) {
    sr += tab.b[i] * gr[i];
    si += tab.b[i] * gi[i];
  }
  return [1 + x * sr - y * si, x * si + y * sr];
}

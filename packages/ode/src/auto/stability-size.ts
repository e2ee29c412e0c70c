/**
 * The real-axis stability boundary of an explicit Runge–Kutta method: the largest r with
 * |R(−x)| ≤ 1 for all 0 ≤ x ≤ r, where R(z) = 1 + z·bᵀ(I − zA)⁻¹𝟙 is the stability function
 * (Hairer–Wanner II, §IV.2, eq. (2.3)); for an explicit A it is a polynomial, evaluated here by
 * the stage recursion Yᵢ = 1 + z·Σⱼ<ᵢ aᵢⱼYⱼ, R = 1 + z·Σ bⱼYⱼ. The automatic composites divide
 * h·ρ by it (OrdinaryDiffEq tabulates the same numbers as `alg_stability_size`: Tsit5 3.5068,
 * Vern7 4.6400, DP5 3.3066), so any explicit member gets its own without a table.
 */
import type { ButcherTableau } from "../tableau/butcher-tableau.js";

/** R(z) of the tableau at real z (allocates one small array: called at construction only). */
export function stabilityFunction(tab: ButcherTableau, z: number): number {
  const s = tab.stages;
  const total = tab.totalStages;
  const Y = new Float64Array(s);
  let r = 1;
  for (let i = 0; i < s; i++) {
    let acc = 0;
    for (let j = 0; j < i; j++) acc += tab.a[i * total + j] * Y[j];
    Y[i] = 1 + z * acc;
    r += z * tab.b[i] * Y[i];
  }
  return r;
}

/**
 * The stability boundary on the negative real axis: the first x > 0 where |R(−x)| exceeds 1,
 * bracketed on a grid of 1e-3 and refined by bisection to 1e-10.
 */
export function realStabilitySize(tab: ButcherTableau): number {
  const inside = (x: number): boolean => Math.abs(stabilityFunction(tab, -x)) <= 1;
  const step = 1e-3;
  let lo = 0;
  // Explicit methods of order ≤ 9 have boundaries below ~7; 100 bounds the search.
  while (lo < 100 && inside(lo + step)) lo += step;
  let hi = lo + step;
  while (hi - lo > 1e-10) {
    const mid = 0.5 * (lo + hi);
    if (inside(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

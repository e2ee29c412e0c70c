/**
 * Initialisers: exact draws against the Python reference uniform stream (fixture), moments of the
 * documented distributions (formulas from WeightInitializers.jl / torch.nn.init), typed errors.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { InitError } from "./errors.js";
import {
  fans,
  glorotNormal,
  glorotUniform,
  kaimingNormal,
  kaimingUniform,
  ones,
  truncatedNormal,
  zeros,
} from "./init.js";
import { rng } from "./rng.js";

const ref: { uniform42: number[]; normal42: number[] } = JSON.parse(
  readFileSync(new URL("../test/fixtures/rng-reference.json", import.meta.url), "utf8"),
);

function moments(x: Float64Array): { mean: number; variance: number } {
  let s = 0;
  for (const v of x) s += v;
  const mean = s / x.length;
  let q = 0;
  for (const v of x) q += (v - mean) ** 2;
  return { mean, variance: q / x.length };
}

describe("initialisers", () => {
  test("fans follow WeightInitializers.nfan: [out, in] → (in, out), [n] → (1, n), [] → (1, 1)", () => {
    expect(fans([5, 4])).toEqual([4, 5]);
    expect(fans([7])).toEqual([1, 7]);
    expect(fans([])).toEqual([1, 1]);
  });

  test("glorotUniform(rng(42), [2, 4]) pins a·(2u − 1) of the reference uniform stream, a = √(6/6)", () => {
    const w = glorotUniform(rng(42), [2, 4]);
    const a = Math.sqrt(6 / (4 + 2));
    expect(Array.from(w)).toEqual(ref.uniform42.map((u) => a * (2 * u - 1)));
  });

  test("glorotNormal(rng(42), [3, 3]) pins σ·z of the reference normal stream, σ = √(2/6)", () => {
    const w = glorotNormal(rng(42), [3, 3]);
    const sigma = Math.sqrt(2 / 6);
    expect(Array.from(w)).toEqual(ref.normal42.map((z) => sigma * z));
  });

  test("same seed → bit-identical draws; writes into a given view", () => {
    const buf = new Float64Array(30);
    const view = buf.subarray(5, 25);
    const w = kaimingNormal(rng(9), [4, 5], view);
    expect(w).toBe(view);
    expect(Array.from(buf.subarray(5, 25))).toEqual(Array.from(kaimingNormal(rng(9), [4, 5])));
    expect(buf[4]).toBe(0);
    expect(buf[25]).toBe(0);
  });

  // Moments over 60 000 draws: the standard error of a sample variance is σ²·√(2/n) ≈ 0.0058·σ²
  // (normal) and smaller for uniforms; tolerances are 5 standard errors.
  const n = 60_000;
  const se = (v: number) => 5 * v * Math.sqrt(2 / n);

  test("glorotUniform has variance a²/3 = 2/(fanIn + fanOut) and support [−a, a]", () => {
    const shape = [200, 300];
    const w = glorotUniform(rng(1), shape);
    const a = Math.sqrt(6 / 500);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(a);
    const { mean, variance } = moments(w);
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(a ** 2 / 3 / n));
    expect(Math.abs(variance - 2 / 500)).toBeLessThan(se(2 / 500));
  });

  test("glorotNormal has variance 2/(fanIn + fanOut); gain scales σ", () => {
    const { variance } = moments(glorotNormal(rng(2), [200, 300], undefined, { gain: 3 }));
    expect(Math.abs(variance - (9 * 2) / 500)).toBeLessThan(se((9 * 2) / 500));
  });

  test("kaimingUniform has bound √6/√fanIn and variance 2/fanIn", () => {
    const w = kaimingUniform(rng(3), [300, 200]);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 200));
    expect(Math.abs(moments(w).variance - 2 / 200)).toBeLessThan(se(2 / 200));
  });

  test("kaimingNormal has variance 2/fanIn", () => {
    const { variance } = moments(kaimingNormal(rng(4), [300, 200]));
    expect(Math.abs(variance - 2 / 200)).toBeLessThan(se(2 / 200));
  });

  test("truncatedNormal stays in [lo, hi] and has the truncated variance", () => {
    const w = truncatedNormal(rng(5), [300, 200]);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...w)).toBeLessThanOrEqual(2);
    // Var of N(0,1) truncated to [−2, 2] = 1 − 2·2φ(2)/(Φ(2) − Φ(−2)); Φ(2) − Φ(−2) = erf(√2)
    // = 0.9544997361036416 (scipy.special.erf).
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    const expected = 1 - (4 * phi2) / 0.9544997361036416;
    expect(Math.abs(moments(w).variance - expected)).toBeLessThan(se(expected));
    const shifted = truncatedNormal(rng(5), [1000], undefined, { mean: 3, std: 0.5, lo: 2.9, hi: 3.2 });
    expect(Math.min(...shifted)).toBeGreaterThanOrEqual(2.9);
    expect(Math.max(...shifted)).toBeLessThanOrEqual(3.2);
  });

  test("zeros and ones draw nothing", () => {
    const r = rng(6);
    expect(Array.from(zeros(r, [2, 2]))).toEqual([0, 0, 0, 0]);
    expect(Array.from(ones(r, [3]))).toEqual([1, 1, 1]);
    expect(r.uniform()).toBe(rng(6).uniform());
  });

  test("bad shapes, buffers and options throw InitError with a fix", () => {
    expect(() => glorotUniform(rng(0), [2, -1])).toThrow(InitError);
    expect(() => glorotUniform(rng(0), [2, 2, 2])).toThrow(/Fix/);
    expect(() => zeros(rng(0), [2, 2], new Float64Array(3))).toThrow(/needs 4/);
    expect(() => glorotNormal(rng(0), [2, 2], undefined, { gain: -1 })).toThrow(InitError);
    expect(() => truncatedNormal(rng(0), [2], undefined, { lo: 1, hi: 0 })).toThrow(/lo < hi/);
    expect(() => truncatedNormal(rng(0), [2], undefined, { lo: 40, hi: 41 })).toThrow(/almost no mass/);
  });
});

/**
 * The RNG against an independent Python implementation of SplitMix64 + xoshiro256** + the polar
 * method (scripts/gen-rng-reference.py, whose jump polynomials are verified there by GF(2) matrix
 * powers). Every comparison is exact: reproducibility means bit-identical draws.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { detLog } from "./det-log.js";
import { RngSeedError } from "./errors.js";
import { Rng, rng } from "./rng.js";

interface Reference {
  seeds: Record<string, { state: string[]; u64: string[] }>;
  uniform42: number[];
  normal42: number[];
  afterJump42: string[];
  afterLongJump42: string[];
  detLog: [number, number][];
}
const ref: Reference = JSON.parse(
  readFileSync(new URL("../test/fixtures/rng-reference.json", import.meta.url), "utf8"),
);

describe("xoshiro256** seeded by SplitMix64", () => {
  for (const [seed, { state, u64 }] of Object.entries(ref.seeds)) {
    test(`seed ${seed}: state and first 8 outputs equal the reference`, () => {
      const r = rng(BigInt(seed));
      expect(r.state().s).toEqual(state);
      expect(Array.from({ length: 8 }, () => r.nextBigUint64().toString())).toEqual(u64);
    });
  }

  test("a negative number seed wraps modulo 2⁶⁴ (−1 ≡ 2⁶⁴ − 1)", () => {
    expect(rng(-1).state()).toEqual(rng(2n ** 64n - 1n).state());
  });

  test("uniform doubles are the top 53 bits times 2⁻⁵³, bit-identical to the reference", () => {
    const r = rng(42);
    expect(Array.from({ length: 8 }, () => r.uniform())).toEqual(ref.uniform42);
  });

  test("nextUint32 is the high half of the 64-bit output", () => {
    const a = rng(0);
    const b = rng(0);
    for (let i = 0; i < 8; i++) expect(a.nextUint32()).toBe(Number(b.nextBigUint64() >> 32n));
  });

  test("normal draws (polar method with detLog) are bit-identical to the reference", () => {
    const r = rng(42);
    expect(Array.from({ length: 9 }, () => r.normal())).toEqual(ref.normal42);
  });

  test("jump and longJump land where the GF(2)-verified reference lands", () => {
    const a = rng(42).jump();
    expect(Array.from({ length: 4 }, () => a.nextBigUint64().toString())).toEqual(ref.afterJump42);
    const b = rng(42).longJump();
    expect(Array.from({ length: 4 }, () => b.nextBigUint64().toString())).toEqual(ref.afterLongJump42);
  });

  test("split: the child continues the parent's stream, the parent jumps 2¹²⁸ ahead", () => {
    const parent = rng(42);
    const child = parent.split();
    expect(Array.from({ length: 8 }, () => child.nextBigUint64().toString())).toEqual(ref.seeds["42"].u64);
    expect(Array.from({ length: 4 }, () => parent.nextBigUint64().toString())).toEqual(ref.afterJump42);
  });

  test("state() → JSON → fromState resumes identically, including the cached normal", () => {
    const a = rng(7);
    a.normal(); // leaves a spare normal cached
    const b = Rng.fromState(JSON.parse(JSON.stringify(a.state())));
    for (let i = 0; i < 20; i++) expect(b.normal()).toBe(a.normal());
    for (let i = 0; i < 20; i++) expect(b.uniform()).toBe(a.uniform());
  });

  test("uniform(lo, hi) and fillNormal(mean, std) are affine maps of the standard draws", () => {
    const a = rng(3);
    const b = rng(3);
    expect(a.uniform(-2, 6)).toBe(-2 + 8 * b.uniform());
    const out = rng(3).fillNormal(new Float64Array(4), 1, 3);
    const c = rng(3);
    for (let i = 0; i < 4; i++) expect(out[i]).toBe(1 + 3 * c.normal());
  });

  test("sample moments of 2·10⁵ normals are those of N(0, 1)", () => {
    const n = 200_000;
    const r = rng(11);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s1 += z;
      s2 += z * z;
    }
    // standard errors: mean 1/√n ≈ 0.0022, variance √(2/n) ≈ 0.0032; 5 standard errors
    expect(Math.abs(s1 / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  test("bad seeds and bad states throw RngSeedError with a fix", () => {
    expect(() => rng(1.5)).toThrow(RngSeedError);
    expect(() => rng(2 ** 60)).toThrow(/safe integer/);
    expect(() => Rng.fromState({ algorithm: "xoshiro256**", s: ["0", "1", "2", "3"], spare: null })).toThrow(
      /Fix/,
    );
    const zero = "0".repeat(16);
    expect(() =>
      Rng.fromState({ algorithm: "xoshiro256**", s: [zero, zero, zero, zero], spare: null }),
    ).toThrow(/all zeros/);
  });
});

describe("detLog", () => {
  test("equals the Python mirror bit for bit at fixed points (incl. subnormals)", () => {
    for (const [x, y] of ref.detLog) expect(detLog(x)).toBe(y);
  });

  test("is within 1 ulp of Math.log on 10⁵ random arguments", () => {
    // detLog's error analysis gives < 1 ulp; Math.log (fdlibm in V8) is also < 1 ulp, so the two may
    // differ by one unit in the last place but never more.
    const r = rng(5);
    let worstUlps = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = i % 2 === 0 ? r.uniform() : (0.5 + r.uniform()) * 2 ** Math.floor(r.uniform() * 2000 - 1000);
      const want = Math.log(x);
      if (x === 0 || want === 0) continue;
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(want))) - 52);
      worstUlps = Math.max(worstUlps, Math.abs(detLog(x) - want) / ulp);
    }
    expect(worstUlps).toBeLessThanOrEqual(1);
  });

  test("special values", () => {
    expect(detLog(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(detLog(-1)).toBeNaN();
    expect(detLog(Number.NaN)).toBeNaN();
    expect(detLog(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(detLog(1)).toBe(0);
  });
});

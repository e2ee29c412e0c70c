/**
 * The seeded random-number generator: xoshiro256** 1.0 (Blackman & Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 47(4), 2021; preprint arXiv:1805.01407, 2018),
 * seeded by SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014) as the authors recommend.
 *
 * Bit reproducibility: the 64-bit state is held as eight unsigned 32-bit halves and advanced
 * with 32-bit integer operations only (shifts, xors, adds with explicit carry; the scrambler's
 * multiplications by 5 and 9 are shift-and-add). BigInt is used once, to run SplitMix64 when
 * seeding. Doubles are built from the top 53 bits of an output, normals with the Marsaglia polar
 * method (Marsaglia & Bray, SIAM Review 6(3), 1964) using `detLog` (a logarithm made of correctly
 * rounded basic operations) and `Math.sqrt` (correctly rounded, IEEE-754 §5.4.1), so every draw is
 * the same on every machine and engine. Reference outputs are pinned in rng.test.ts from an
 * independent Python implementation (packages/nn/scripts/gen-rng-reference.py).
 *
 * Streams: `jump()` advances by 2¹²⁸ outputs and `longJump()` by 2¹⁹²; `split()` hands out the
 * current position as a new generator and jumps itself, so every split stream owns 2¹²⁸
 * non-overlapping outputs.
 */
import { detLog } from "./det-log.js";
import { RngSeedError } from "./errors.js";

/** A serialised generator: the four 64-bit state words as 16-digit hex and a cached normal draw. */
export interface RngState {
  readonly algorithm: "xoshiro256**";
  readonly s: readonly [string, string, string, string];
  readonly spare: number | null;
}

const TWO_POW_M53 = 1.1102230246251565e-16; // 2⁻⁵³
const TWO_POW_21 = 2097152;
const TWO_POW_32 = 4294967296;

// Jump polynomials of xoshiro256 (Blackman & Vigna), as [hi, lo] 32-bit halves of the 64-bit words.
const JUMP = halves([0x180ec6d33cfd0aban, 0xd5a61266f0c9392cn, 0xa9582618e03fc9aan, 0x39abdc4529b1661cn]);
const LONG_JUMP = halves([
  0x76e15d3efefdcbbfn,
  0xc5004e441c522fb3n,
  0x77710069854ee241n,
  0x39109bb02acbe635n,
]);

function halves(words: bigint[]): Uint32Array {
  const out = new Uint32Array(8);
  words.forEach((w, i) => {
    out[2 * i] = Number(w >> 32n);
    out[2 * i + 1] = Number(w & 0xffffffffn);
  });
  return out;
}

/** SplitMix64 (Steele et al. 2014): expands one 64-bit seed into the four state words. */
function splitMix64Words(seed: bigint): bigint[] {
  const mask = 0xffffffffffffffffn;
  let x = seed & mask;
  const out: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b97f4a7c15n) & mask;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    out.push(z ^ (z >> 31n));
  }
  return out;
}

/**
 * xoshiro256** generator with uniform and normal draws and independent streams.
 *
 * Not cryptographically secure. Period 2²⁵⁶ − 1; passes BigCrush and PractRand (Blackman & Vigna).
 */
export class Rng {
  /** State words s0…s3 as [hi, lo] pairs: s[2i] = high 32 bits of word i, s[2i+1] = low 32 bits. */
  private readonly s = new Uint32Array(8);
  private spare: number | null = null;
  // The last output, as 32-bit halves (kept in fields so `next` allocates nothing).
  private outHi = 0;
  private outLo = 0;

  private constructor() {}

  /** A generator seeded through SplitMix64. `seed`: a safe integer (negative values wrap mod 2⁶⁴) or a bigint. */
  static seeded(seed: number | bigint): Rng {
    let big: bigint;
    if (typeof seed === "bigint") big = seed;
    else if (Number.isSafeInteger(seed)) big = BigInt(seed);
    else {
      throw new RngSeedError(
        `rng(seed): seed ${seed} is not a safe integer. Expected an integer with |seed| ≤ 2⁵³ − 1 or a bigint. ` +
          "Fix: pass Math.trunc(seed), or a bigint for a full 64-bit seed.",
      );
    }
    const r = new Rng();
    const words = splitMix64Words(BigInt.asUintN(64, big));
    words.forEach((w, i) => {
      r.s[2 * i] = Number(w >> 32n);
      r.s[2 * i + 1] = Number(w & 0xffffffffn);
    });
    return r;
  }

  /** Restores a generator from `state()`; it continues exactly where the saved one stood. */
  static fromState(state: RngState): Rng {
    const ok =
      state !== null &&
      typeof state === "object" &&
      state.algorithm === "xoshiro256**" &&
      Array.isArray(state.s) &&
      state.s.length === 4 &&
      state.s.every((w) => typeof w === "string" && /^[0-9a-f]{16}$/.test(w)) &&
      (state.spare === null || Number.isFinite(state.spare));
    if (!ok) {
      throw new RngSeedError(
        `Rng.fromState: ${JSON.stringify(state)} is not a serialised generator. Expected ` +
          '{ algorithm: "xoshiro256**", s: [four 16-digit lowercase hex strings], spare: number | null }. ' +
          "Fix: pass exactly what rng.state() returned (JSON round-trips it unchanged).",
      );
    }
    const r = new Rng();
    state.s.forEach((w, i) => {
      r.s[2 * i] = Number.parseInt(w.slice(0, 8), 16);
      r.s[2 * i + 1] = Number.parseInt(w.slice(8), 16);
    });
    if (r.s.every((v) => v === 0)) {
      throw new RngSeedError(
        "Rng.fromState: the state is all zeros, a fixed point of xoshiro256** (it would output only zeros). " +
          "Fix: seed with rng(seed) instead of writing a state by hand.",
      );
    }
    r.spare = state.spare;
    return r;
  }

  /** The full state, JSON-serialisable; `Rng.fromState(r.state())` continues identically. */
  state(): RngState {
    const w = (i: number) =>
      this.s[2 * i].toString(16).padStart(8, "0") + this.s[2 * i + 1].toString(16).padStart(8, "0");
    return { algorithm: "xoshiro256**", s: [w(0), w(1), w(2), w(3)], spare: this.spare };
  }

  /** An independent copy at the same position. */
  clone(): Rng {
    const r = new Rng();
    r.s.set(this.s);
    r.spare = this.spare;
    return r;
  }

  /** Advances the state by one step and leaves the 64-bit output in outHi/outLo. */
  private next(): void {
    const s = this.s;
    const s1h = s[2];
    const s1l = s[3];
    // result = rotl(s1 · 5, 7) · 9
    let lo = s1l + ((s1l << 2) >>> 0);
    let hi = (s1h + (((s1h << 2) | (s1l >>> 30)) >>> 0) + (lo >= TWO_POW_32 ? 1 : 0)) >>> 0;
    lo >>>= 0;
    const rh = ((hi << 7) | (lo >>> 25)) >>> 0;
    const rl = ((lo << 7) | (hi >>> 25)) >>> 0;
    lo = rl + ((rl << 3) >>> 0);
    hi = (rh + (((rh << 3) | (rl >>> 29)) >>> 0) + (lo >= TWO_POW_32 ? 1 : 0)) >>> 0;
    this.outHi = hi;
    this.outLo = lo >>> 0;
    // t = s1 << 17
    const th = ((s1h << 17) | (s1l >>> 15)) >>> 0;
    const tl = (s1l << 17) >>> 0;
    // s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 45)
    s[4] ^= s[0];
    s[5] ^= s[1];
    s[6] ^= s[2];
    s[7] ^= s[3];
    s[2] ^= s[4];
    s[3] ^= s[5];
    s[0] ^= s[6];
    s[1] ^= s[7];
    s[4] ^= th;
    s[5] ^= tl;
    // rotl by 45 = swap the halves (rotl by 32), then rotl by 13
    const swappedHi = s[7];
    const swappedLo = s[6];
    s[6] = (swappedHi << 13) | (swappedLo >>> 19);
    s[7] = (swappedLo << 13) | (swappedHi >>> 19);
  }

  /** The next raw 64-bit output as a bigint (for tests and interoperability; allocates). */
  nextBigUint64(): bigint {
    this.next();
    return (BigInt(this.outHi) << 32n) | BigInt(this.outLo);
  }

  /** The high 32 bits of the next output (the best bits of a ** scrambler), as an unsigned integer. */
  nextUint32(): number {
    this.next();
    return this.outHi;
  }

  /** A uniform double in [0, 1): the top 53 bits of the next output times 2⁻⁵³. */
  uniform(): number;
  /** A uniform double in [lo, hi). */
  uniform(lo: number, hi: number): number;
  uniform(lo = 0, hi = 1): number {
    this.next();
    const u = (this.outHi * TWO_POW_21 + (this.outLo >>> 11)) * TWO_POW_M53;
    return lo === 0 && hi === 1 ? u : lo + (hi - lo) * u;
  }

  /**
   * A standard normal draw (or mean + std·z), by the Marsaglia polar method: draw (u, v)
   * uniform on the square [−1, 1)², reject unless 0 < s = u² + v² < 1, then u·√(−2 ln s / s) and
   * v·√(−2 ln s / s) are independent standard normals. The second one is cached and returned by
   * the next call (it is part of `state()`).
   */
  normal(mean = 0, std = 1): number {
    let z: number;
    if (this.spare !== null) {
      z = this.spare;
      this.spare = null;
    } else {
      let u: number;
      let v: number;
      let s: number;
      do {
        u = 2 * this.uniform() - 1;
        v = 2 * this.uniform() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const factor = Math.sqrt((-2 * detLog(s)) / s);
      this.spare = v * factor;
      z = u * factor;
    }
    return mean === 0 && std === 1 ? z : mean + std * z;
  }

  /** Fills `out` with uniform draws in [lo, hi), in index order; returns `out`. */
  fillUniform(out: Float64Array, lo = 0, hi = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  /** Fills `out` with normal draws N(mean, std²), in index order; returns `out`. */
  fillNormal(out: Float64Array, mean = 0, std = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  private applyJump(poly: Uint32Array): void {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    let a5 = 0;
    let a6 = 0;
    let a7 = 0;
    const s = this.s;
    for (let w = 0; w < 4; w++) {
      for (let b = 0; b < 64; b++) {
        // bit b of 64-bit word w: low half for b < 32
        const half = b < 32 ? poly[2 * w + 1] : poly[2 * w];
        if ((half >>> (b & 31)) & 1) {
          a0 ^= s[0];
          a1 ^= s[1];
          a2 ^= s[2];
          a3 ^= s[3];
          a4 ^= s[4];
          a5 ^= s[5];
          a6 ^= s[6];
          a7 ^= s[7];
        }
        this.next();
      }
    }
    s[0] = a0;
    s[1] = a1;
    s[2] = a2;
    s[3] = a3;
    s[4] = a4;
    s[5] = a5;
    s[6] = a6;
    s[7] = a7;
  }

  /** Advances by 2¹²⁸ outputs (Blackman & Vigna's jump). Returns this. */
  jump(): this {
    this.applyJump(JUMP);
    return this;
  }

  /** Advances by 2¹⁹² outputs (Blackman & Vigna's long jump). Returns this. */
  longJump(): this {
    this.applyJump(LONG_JUMP);
    return this;
  }

  /**
   * A new generator for an independent stream: it takes over the current position, and this
   * generator jumps 2¹²⁸ outputs ahead, so the two never overlap (for up to 2¹²⁸ draws each).
   */
  split(): Rng {
    const child = new Rng();
    child.s.set(this.s);
    this.jump();
    return child;
  }
}

/** A seeded xoshiro256** generator: `rng(42).normal()` draws the same number on every machine. */
export function rng(seed: number | bigint): Rng {
  return Rng.seeded(seed);
}

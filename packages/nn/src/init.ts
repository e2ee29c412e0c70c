/**
 * Weight initialisers, with the formulas and fan conventions of Lux's WeightInitializers.jl
 * (https://lux.csail.mit.edu/stable/api/Building_Blocks/WeightInitializers) and PyTorch's
 * torch.nn.init (https://pytorch.org/docs/stable/nn.init.html):
 *
 *   glorotUniform   U(−a, a),  a = gain·√(6 / (fanIn + fanOut))      Glorot & Bengio, AISTATS 2010
 *   glorotNormal    N(0, σ²),  σ = gain·√(2 / (fanIn + fanOut))      Glorot & Bengio, AISTATS 2010
 *   kaimingUniform  U(−b, b),  b = gain·√3 / √fanIn, gain = √2        He et al., ICCV 2015
 *   kaimingNormal   N(0, σ²),  σ = gain / √fanIn,   gain = √2        He et al., ICCV 2015
 *   truncatedNormal N(mean, std²) restricted to [lo, hi] (defaults 0, 1, −2, 2), by rejection
 *   zeros, ones
 *
 * Fans (WeightInitializers' `nfan`): a matrix of shape [out, in] has fanIn = in, fanOut = out;
 * a vector [n] has fanIn = 1, fanOut = n; a scalar has fanIn = fanOut = 1.
 *
 * Every initialiser has the signature `(rng, shape, out?, options?) → Float64Array`: it fills
 * `out` (or a new array) with shape's product of draws in row-major index order, so the same
 * seed gives the same parameters everywhere (see rng.ts).
 */
import { InitError } from "./errors.js";
import type { Rng } from "./rng.js";

/** A tensor shape: [] scalar, [n] vector, [m, n] matrix (row-major). */
export type Shape = readonly number[];

/** Fills `out` (or a fresh array of the shape's size) with initial values and returns it. */
export type Initializer = (rng: Rng, shape: Shape, out?: Float64Array) => Float64Array;

/** Options of the Glorot and Kaiming initialisers. */
export interface GainOptions {
  /** Multiplies the scale (Glorot default 1, Kaiming default √2, the ReLU gain). */
  readonly gain?: number;
}

/** Options of `truncatedNormal`. */
export interface TruncatedNormalOptions {
  readonly mean?: number;
  readonly std?: number;
  readonly lo?: number;
  readonly hi?: number;
}

/** Number of entries of a shape; validates it. */
export function shapeSize(shape: Shape, who = "initialiser"): number {
  if (!Array.isArray(shape) || shape.length > 2 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new InitError(
      `${who}: shape ${JSON.stringify(shape)} is not a valid shape. Expected [] (scalar), [n] (vector) or ` +
        "[rows, cols] (matrix) with non-negative integer dimensions. Fix: pass e.g. [outDims, inDims].",
    );
  }
  return shape.reduce((a, b) => a * b, 1);
}

/** [fanIn, fanOut] of a shape, as WeightInitializers.jl's nfan. */
export function fans(shape: Shape): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [1, shape[0]];
  return [shape[1], shape[0]];
}

function target(shape: Shape, out: Float64Array | undefined, who: string): Float64Array {
  const n = shapeSize(shape, who);
  if (out === undefined) return new Float64Array(n);
  if (out.length !== n) {
    throw new InitError(
      `${who}: the output buffer has ${out.length} entries but shape ${JSON.stringify(shape)} needs ${n}. ` +
        "Fix: pass a buffer (or subarray view) of exactly the shape's size, or omit it.",
    );
  }
  return out;
}

function positive(value: number, name: string, who: string): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InitError(
      `${who}: ${name} = ${value}; expected a finite positive number. Fix: pass e.g. ${name}: 1.`,
    );
  }
  return value;
}

/** Glorot (Xavier) uniform: U(−a, a) with a = gain·√(6/(fanIn + fanOut)). Dense's default weight initialiser. */
export function glorotUniform(
  rng: Rng,
  shape: Shape,
  out?: Float64Array,
  options: GainOptions = {},
): Float64Array {
  const y = target(shape, out, "glorotUniform");
  const [fanIn, fanOut] = fans(shape);
  const a = positive(options.gain ?? 1, "gain", "glorotUniform") * Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < y.length; i++) y[i] = a * (2 * rng.uniform() - 1);
  return y;
}

/** Glorot (Xavier) normal: N(0, σ²) with σ = gain·√(2/(fanIn + fanOut)). */
export function glorotNormal(
  rng: Rng,
  shape: Shape,
  out?: Float64Array,
  options: GainOptions = {},
): Float64Array {
  const y = target(shape, out, "glorotNormal");
  const [fanIn, fanOut] = fans(shape);
  const sigma = positive(options.gain ?? 1, "gain", "glorotNormal") * Math.sqrt(2 / (fanIn + fanOut));
  for (let i = 0; i < y.length; i++) y[i] = sigma * rng.normal();
  return y;
}

/** Kaiming (He) uniform: U(−b, b) with b = gain·√3/√fanIn, gain = √2 by default (ReLU). */
export function kaimingUniform(
  rng: Rng,
  shape: Shape,
  out?: Float64Array,
  options: GainOptions = {},
): Float64Array {
  const y = target(shape, out, "kaimingUniform");
  const [fanIn] = fans(shape);
  const b =
    (positive(options.gain ?? Math.SQRT2, "gain", "kaimingUniform") * Math.sqrt(3)) / Math.sqrt(fanIn);
  for (let i = 0; i < y.length; i++) y[i] = b * (2 * rng.uniform() - 1);
  return y;
}

/** Kaiming (He) normal: N(0, σ²) with σ = gain/√fanIn, gain = √2 by default (ReLU). */
export function kaimingNormal(
  rng: Rng,
  shape: Shape,
  out?: Float64Array,
  options: GainOptions = {},
): Float64Array {
  const y = target(shape, out, "kaimingNormal");
  const [fanIn] = fans(shape);
  const sigma = positive(options.gain ?? Math.SQRT2, "gain", "kaimingNormal") / Math.sqrt(fanIn);
  for (let i = 0; i < y.length; i++) y[i] = sigma * rng.normal();
  return y;
}

/**
 * N(mean, std²) conditioned on [lo, hi] (defaults 0, 1, −2, 2), drawn by rejection: a normal draw
 * outside [lo, hi] is discarded and redrawn. Exact in distribution; efficient when the interval
 * holds a fair share of the mass (95% for the defaults). Not for intervals far in a tail: after
 * 10⁴ rejections in a row it throws InitError.
 */
export function truncatedNormal(
  rng: Rng,
  shape: Shape,
  out?: Float64Array,
  options: TruncatedNormalOptions = {},
): Float64Array {
  const y = target(shape, out, "truncatedNormal");
  const { mean = 0, std = 1, lo = -2, hi = 2 } = options;
  positive(std, "std", "truncatedNormal");
  if (!(lo < hi) || !Number.isFinite(mean)) {
    throw new InitError(
      `truncatedNormal: got mean ${mean}, lo ${lo}, hi ${hi}; expected a finite mean and lo < hi. ` +
        "Fix: pass an interval with lo < hi (e.g. mean ± 2·std).",
    );
  }
  for (let i = 0; i < y.length; i++) {
    let v = rng.normal(mean, std);
    let tries = 1;
    while (v < lo || v > hi) {
      if (tries++ >= 10_000) {
        throw new InitError(
          `truncatedNormal: 10⁴ draws of N(${mean}, ${std}²) in a row fell outside [${lo}, ${hi}]; the interval ` +
            "holds almost no mass. Expected an interval near the mean. Fix: widen [lo, hi] or move the mean into it.",
        );
      }
      v = rng.normal(mean, std);
    }
    y[i] = v;
  }
  return y;
}

/** All zeros (draws nothing). Dense's default bias initialiser. */
export function zeros(_rng: Rng, shape: Shape, out?: Float64Array): Float64Array {
  return target(shape, out, "zeros").fill(0);
}

/** All ones (draws nothing). Scale's default weight initialiser. */
export function ones(_rng: Rng, shape: Shape, out?: Float64Array): Float64Array {
  return target(shape, out, "ones").fill(1);
}

/**
 * Finite-difference checks of reverse-mode derivatives, used by every package's tests.
 *
 * Central differences in float64 have truncation error O(eps²·|f'''|) and rounding error
 * O(ε_mach·|f|/eps); with the default eps = 1e-6 both are around 1e-10 relative for smooth,
 * well-scaled functions, so the default rtol = 1e-6 leaves four orders of margin.
 */
import { ArgumentError } from "./errors.js";
import { vjp } from "./grad.js";
import { Tensor } from "./tensor.js";

export interface GradcheckOptions {
  /** Finite-difference step (absolute, per entry). Default 1e-6. */
  eps?: number;
  /** Relative tolerance. Default 1e-6. */
  rtol?: number;
  /** Absolute tolerance. Default 1e-8. */
  atol?: number;
  /** Cotangent for a non-scalar output; default: a fixed pseudo-random vector. */
  cotangent?: Float64Array;
}

export interface GradcheckResult {
  ok: boolean;
  /** Largest |analytic − numeric| / max(|numeric|, atol). */
  maxError: number;
  /** Input and flat index of the worst entry. */
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

/** Seeded entries in [−0.5, 0.5) (a 32-bit LCG), so every check is reproducible. @internal */
export function pseudoRandom(n: number, seed: number): Float64Array {
  const a = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function evaluate(
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  data: Float64Array[],
): Float64Array {
  return f(...data.map((d, i) => new Tensor(d, inputs[i].shape))).data;
}

/**
 * Compares every entry of the reverse-mode gradient of ⟨cotangent, f(inputs)⟩ with central
 * differences. Cost: two evaluations of f per input entry; use it on small inputs.
 */
export function gradcheck(
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  { eps = 1e-6, rtol = 1e-6, atol = 1e-8, cotangent }: GradcheckOptions = {},
): GradcheckResult {
  if (!(eps > 0)) throw new ArgumentError(`gradcheck: eps must be positive, got ${eps}.`);
  const [out, pullback] = vjp(f, ...inputs);
  const ct = cotangent ?? (out.size === 1 ? Float64Array.of(1) : pseudoRandom(out.size, 7));
  const analytic = pullback(ct);
  const data = inputs.map((x) => x.data.slice());
  const result: GradcheckResult = { ok: true, maxError: 0, input: -1, index: -1, analytic: 0, numeric: 0 };
  let worst = -1;
  data.forEach((d, i) => {
    for (let k = 0; k < d.length; k++) {
      const x0 = d[k];
      d[k] = x0 + eps;
      const plus = dot(ct, evaluate(f, inputs, data));
      d[k] = x0 - eps;
      const minus = dot(ct, evaluate(f, inputs, data));
      d[k] = x0;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[i].data[k];
      const diff = Math.abs(a - numeric);
      if (!(diff <= atol + rtol * Math.abs(numeric))) result.ok = false;
      const err = diff / Math.max(Math.abs(numeric), atol);
      const badness = diff / (atol + rtol * Math.abs(numeric));
      if (!(badness <= worst)) {
        worst = Number.isNaN(badness) ? Number.POSITIVE_INFINITY : badness;
        Object.assign(result, { maxError: err, input: i, index: k, analytic: a, numeric });
      }
    }
  });
  return result;
}

export interface VjpCheckResult {
  ok: boolean;
  /** ⟨J·v, u⟩ by central differences along v. */
  jvpDotU: number;
  /** ⟨v, Jᵀ·u⟩ from the VJP. */
  vDotVjp: number;
  relError: number;
}

/**
 * The dot-product test ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩ for random directions v (over all inputs) and
 * cotangent u: one VJP and two evaluations of f, so it suits large inputs too.
 */
export function checkVjp(
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  { eps = 1e-6, rtol = 1e-6, atol = 1e-8, seed = 1 }: GradcheckOptions & { seed?: number } = {},
): VjpCheckResult {
  const [out, pullback] = vjp(f, ...inputs);
  const u = pseudoRandom(out.size, seed * 31 + 7);
  const vs = inputs.map((x, i) => pseudoRandom(x.size, seed * 131 + i));
  const grads = pullback(u);
  let vDotVjp = 0;
  vs.forEach((v, i) => {
    vDotVjp += dot(v, grads[i].data);
  });
  const shifted = (sign: number) =>
    inputs.map((x, i) => {
      const d = x.data.slice();
      for (let k = 0; k < d.length; k++) d[k] += sign * eps * vs[i][k];
      return d;
    });
  const jvpDotU =
    (dot(u, evaluate(f, inputs, shifted(1))) - dot(u, evaluate(f, inputs, shifted(-1)))) / (2 * eps);
  const diff = Math.abs(jvpDotU - vDotVjp);
  return {
    ok: diff <= atol + rtol * Math.abs(jvpDotU),
    jvpDotU,
    vDotVjp,
    relError: diff / Math.max(Math.abs(jvpDotU), atol),
  };
}

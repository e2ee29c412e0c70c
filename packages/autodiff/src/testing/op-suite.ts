/**
 * The op suite: the checks every differentiable op (or function built from ops) passes, for any
 * package that registers ops with `defineOp`. It returns a report instead of asserting, so it
 * runs under any test runner: `expect(checkOpSuite(f, inputs).failures).toEqual([])`.
 *
 * - dot-product: ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩ against float64 central differences for several random
 *   directions (`checkVjp`; JAX's `check_grads` test).
 * - fan-out: f(x) + 0.5·f(x) pulls back 1.5 × f's cotangent, and f with two equally shaped
 *   arguments bound to the same tensor pulls back the sum of the two arguments' cotangents
 *   (tinygrad once lost gradients at fan-out by assigning instead of adding).
 * - accumulate: every op application on f's tape, called directly, ADDS into pre-filled input
 *   gradients (the registry's contract), and computes an input's cotangent alone when the
 *   others are null ("not needed").
 * - compiled = eager: `compile(f)` replayed at a point other than the traced one gives the
 *   eager forward and VJP (bit for bit by default), for f itself and for its fan-out form, and
 *   a compiled `pullback({ accumulate: true })` adds the eager cotangent into pre-filled buffers.
 */
import { compile } from "../compile.js";
import { OpSuiteError } from "../errors.js";
import { vjp } from "../grad.js";
import { checkVjp, pseudoRandom } from "../gradcheck.js";
import { add, scale } from "../ops/index.js";
import type { Op } from "../registry.js";
import { formatShape, sameShape } from "../shape.js";
import { Tape, withTape } from "../tape.js";
import { Tensor } from "../tensor.js";

export type OpCheckName = "dot-product" | "fan-out" | "aliased-inputs" | "accumulate" | "compiled-eager";

export interface OpCheck {
  name: OpCheckName;
  ok: boolean;
  /** What was compared and the worst error; for a failure, also what to fix. */
  detail: string;
}

export interface OpSuiteReport {
  label: string;
  ok: boolean;
  checks: OpCheck[];
  /** `label: check: detail` of every failed check (empty when all pass). */
  failures: string[];
  /** Names of the ops recorded on f's tape, sorted and without repeats (what the accumulate check covered). */
  ops: string[];
}

export interface OpSuiteOptions {
  /** Name in messages. Default "f" (checkOp: the op's name). */
  label?: string;
  /** Central-difference step of the dot-product check (see checkVjp). Default 1e-6. */
  eps?: number;
  /** Relative tolerance of the dot-product check. Default 1e-6 (see gradcheck.ts). */
  rtol?: number;
  /** Absolute tolerance of the dot-product check. Default 1e-8. */
  atol?: number;
  /** Number of random (v, u) pairs in the dot-product check. Default 3. */
  directions?: number;
  /**
   * Relative tolerance of the checks that compare two analytic results (fan-out, accumulate,
   * compiled accumulate): they differ only by the order of floating-point additions, so a few
   * hundred ulps of the larger operand. Default 1e-12; a wrong rule is off by O(1).
   */
  roundingRtol?: number;
  /** Compiled vs eager forward and VJP: 0 means bit for bit (the default: both run the same kernels in the same order). */
  compiledRtol?: number;
  /** Inputs at which compiled and eager are compared; default each input × 1.1 (signs and zero patterns kept). */
  movedInputs?: readonly Tensor[];
  /** Run the compiled = eager check. Default true; false for functions `compile` rejects by design (say why). */
  compiled?: boolean;
}

type Fn = (...xs: Tensor[]) => Tensor;

/** max_k |a[k] − b[k]| and max_k max(|a[k]|, |b[k]|); NaN anywhere gives an infinite difference. */
function compare(a: Float64Array, b: Float64Array): { diff: number; scale: number } {
  let diff = 0;
  let size = 0;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k] - b[k]);
    diff = Number.isNaN(d) || d > diff ? (Number.isNaN(d) ? Number.POSITIVE_INFINITY : d) : diff;
    size = Math.max(size, Math.abs(a[k]), Math.abs(b[k]));
  }
  return { diff, scale: size };
}

/** |a − b|∞ ≤ rtol·scale, where scale = max|a|, |b| (and `extra`); tiny() keeps a zero scale from failing exact zeros. */
function close(a: Float64Array, b: Float64Array, rtol: number, extra = 0): { ok: boolean; err: number } {
  const { diff, scale } = compare(a, b);
  const s = Math.max(scale, extra, Number.MIN_VALUE);
  return { ok: diff <= rtol * s || diff === 0, err: diff / s };
}

const fmt = (x: number) => x.toPrecision(3);

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]));
  return m;
}

/** Runs `body`, turning a thrown error into a failed check with its message. */
function guarded(name: OpCheckName, body: () => OpCheck): OpCheck {
  try {
    return body();
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { name, ok: false, detail: `threw ${message}` };
  }
}

function dotProduct(f: Fn, inputs: readonly Tensor[], o: Required<SuiteTolerances>): OpCheck {
  let worst = 0;
  const bad: string[] = [];
  for (let seed = 1; seed <= o.directions; seed++) {
    const r = checkVjp(f, inputs, { eps: o.eps, rtol: o.rtol, atol: o.atol, seed });
    worst = Math.max(worst, Number.isNaN(r.relError) ? Number.POSITIVE_INFINITY : r.relError);
    if (!r.ok)
      bad.push(`seed ${seed}: ⟨J·v, u⟩ = ${r.jvpDotU} by central differences, ⟨v, Jᵀ·u⟩ = ${r.vDotVjp}`);
  }
  return {
    name: "dot-product",
    ok: bad.length === 0,
    detail:
      bad.length === 0
        ? `${o.directions} random directions, worst relative error ${fmt(worst)} (rtol ${o.rtol.toExponential()})`
        : `${bad.join("; ")} (rtol ${o.rtol.toExponential()}, atol ${o.atol.toExponential()}). The VJP rule does not match the forward: check its formula against the derivative.`,
  };
}

/** x ↦ f(x) + 0.5·f(x): each input fans out to two uses. */
const twice =
  (f: Fn): Fn =>
  (...xs) =>
    add(f(...xs), scale(f(...xs), 0.5));

function fanOut(f: Fn, inputs: readonly Tensor[], rtol: number): OpCheck {
  const [out, pullOnce] = vjp(f, ...inputs);
  const u = pseudoRandom(out.size, 11);
  const once = pullOnce(u);
  const [, pullTwice] = vjp(twice(f), ...inputs);
  const both = pullTwice(u);
  const bad: string[] = [];
  let worst = 0;
  once.forEach((g, i) => {
    const want = g.data.map((v) => 1.5 * v);
    const c = close(both[i].data, want, rtol);
    worst = Math.max(worst, c.err);
    if (!c.ok)
      bad.push(`input ${i}: ${fmt(c.err)} relative (e.g. entry 0: ${both[i].data[0]} vs ${want[0]})`);
  });
  return {
    name: "fan-out",
    ok: bad.length === 0,
    detail:
      bad.length === 0
        ? `f(x) + 0.5·f(x) pulls back 1.5× f's cotangent to ${fmt(worst)} relative`
        : `f(x) + 0.5·f(x) does not pull back 1.5× f's cotangent: ${bad.join("; ")}. A VJP rule overwrites inputGrads[i] (=) instead of adding to it (+=).`,
  };
}

function aliasedInputs(f: Fn, inputs: readonly Tensor[], rtol: number): OpCheck {
  const pairs: [number, number][] = [];
  for (let i = 0; i < inputs.length; i++)
    for (let j = i + 1; j < inputs.length; j++)
      if (sameShape(inputs[i].shape, inputs[j].shape)) pairs.push([i, j]);
  if (pairs.length === 0) {
    return { name: "aliased-inputs", ok: true, detail: "no two inputs share a shape: nothing to alias" };
  }
  const bad: string[] = [];
  let worst = 0;
  for (const [i, j] of pairs) {
    // f at the point where input j equals input i, with distinct leaves, then with one shared.
    const point = inputs.map((x, k) => (k === j ? inputs[i] : x));
    const [out, pullDistinct] = vjp(f, ...point);
    const u = pseudoRandom(out.size, 13 + i + 7 * j);
    const distinct = pullDistinct(u);
    const without = point.filter((_, k) => k !== j);
    const shared: Fn = (...ys) => f(...point.map((_, k) => (k === j ? ys[i] : ys[k < j ? k : k - 1])));
    const [, pullShared] = vjp(shared, ...without);
    const gs = pullShared(u);
    gs.forEach((g, k) => {
      const orig = k < j ? k : k + 1;
      const want = orig === i ? distinct[i].data.map((v, e) => v + distinct[j].data[e]) : distinct[orig].data;
      const c = close(g.data, want, rtol);
      worst = Math.max(worst, c.err);
      if (!c.ok)
        bad.push(`inputs ${i} and ${j} bound to one tensor: argument ${orig} off by ${fmt(c.err)} relative`);
    });
  }
  return {
    name: "aliased-inputs",
    ok: bad.length === 0,
    detail:
      bad.length === 0
        ? `${pairs.length} pair(s) of equally shaped inputs bound to one tensor pull back the sum of both cotangents to ${fmt(worst)} relative`
        : `${bad.join("; ")}. When one tensor feeds two inputs of an op, the rule receives the same array as inputGrads[i] and inputGrads[j]: it must add into both, never assign.`,
  };
}

function accumulate(f: Fn, inputs: readonly Tensor[], rtol: number): { check: OpCheck; ops: string[] } {
  const tape = new Tape();
  withTape(tape, () => f(...inputs.map((x) => tape.leaf(new Tensor(x.data.slice(), x.shape)))));
  const names = new Set<string>();
  const bad: string[] = [];
  let worst = 0;
  let applications = 0;
  tape.entries.forEach((entry, k) => {
    if (entry.op === null || entry.ctx === null) return;
    applications++;
    const op = entry.op;
    const name = op.name;
    names.add(name);
    const ctx = entry.ctx;
    const g = pseudoRandom(entry.output.size, 17 + k);
    const sizes = entry.inputs.map((t) => t.size);
    const fresh = sizes.map((n) => new Float64Array(n));
    op.vjp(ctx, g.slice(), fresh);
    // Pre-filled buffers of the same magnitude as the fresh cotangents, so an overwrite shows.
    const before = fresh.map((fr, i) => {
      const mag = 1 + maxAbs(fr);
      return pseudoRandom(fr.length, 19 + 3 * k + i).map((v) => 2 * mag * v);
    });
    const after = before.map((b) => b.slice());
    op.vjp(ctx, g.slice(), after);
    fresh.forEach((fr, i) => {
      const added = after[i].map((v, e) => v - before[i][e]);
      const c = close(added, fr, rtol, maxAbs(before[i]));
      worst = Math.max(worst, c.err);
      if (!c.ok) {
        bad.push(
          `op "${name}" (tape entry ${k}), input ${i} ${formatShape(entry.inputs[i].shape)}: (after − before) differs from the cotangent into zeros by ${fmt(c.err)} relative, so the rule overwrites instead of adding (+=)`,
        );
      }
      if (sizes.length === 1) return;
      // Only input i wanted: the other slots are null.
      const alone = sizes.map((n, e) => (e === i ? new Float64Array(n) : null));
      op.vjp(ctx, g.slice(), alone);
      const a = close(alone[i] as Float64Array, fr, rtol);
      worst = Math.max(worst, a.err);
      if (!a.ok) {
        bad.push(
          `op "${name}" (tape entry ${k}), input ${i}: with the other inputGrads null the cotangent differs by ${fmt(a.err)} relative from the one computed with all of them`,
        );
      }
    });
  });
  const ops = [...names].sort();
  return {
    ops,
    check: {
      name: "accumulate",
      ok: bad.length === 0,
      detail:
        bad.length === 0
          ? `${applications} op application(s) (${ops.join(", ")}) add into pre-filled gradients to ${fmt(worst)} relative`
          : bad.join("; "),
    },
  };
}

function compiledEager(
  f: Fn,
  inputs: readonly Tensor[],
  moved: readonly Tensor[],
  rtol: number,
  roundingRtol: number,
): OpCheck {
  const bad: string[] = [];
  const args = moved.map((x) => x.data);
  // f itself, and its fan-out form with inputs passed through scale(x, 1) (exact), so that
  // the ops read computed values and accumulate into the program's own buffers too.
  const viaOps: Fn = (...xs) => f(...xs.map((x) => scale(x, 1)));
  for (const [form, g] of [
    ["f", f],
    ["fan-out form", twice(viaOps)],
  ] as const) {
    const c = compile(g, ...inputs);
    const [out, pullback] = vjp(g, ...moved);
    const u = pseudoRandom(out.size, 23);
    const eager = pullback(u);
    // The VJP first: the program's buffers still hold another point, so a forward value the
    // pullback fails to recompute (a wrong vjpReads) shows up as a difference.
    const grads = c.vjp(args, u);
    eager.forEach((e, i) => {
      const cv = close(grads[i], e.data, rtol);
      const exact = rtol === 0 ? grads[i].every((v, k) => Object.is(v, e.data[k])) : cv.ok;
      if (!exact)
        bad.push(`${form}: compiled VJP of input ${i} differs from eager by ${fmt(cv.err)} relative`);
    });
    const forward = c.forward(args);
    const fw = close(forward, out.data, rtol);
    const fwExact = rtol === 0 ? forward.every((v, k) => Object.is(v, out.data[k])) : fw.ok;
    if (!fwExact) bad.push(`${form}: compiled forward differs from eager by ${fmt(fw.err)} relative`);
    const acc = c.pullback(
      inputs.map(() => true),
      { accumulate: true },
    );
    const before = eager.map((e, i) => pseudoRandom(e.size, 29 + i).map((v) => v * (1 + maxAbs(e.data))));
    const after = before.map((b) => b.slice());
    acc(args, u, after);
    eager.forEach((e, i) => {
      const added = after[i].map((v, k) => v - before[i][k]);
      const ca = close(added, e.data, roundingRtol, maxAbs(before[i]));
      if (!ca.ok) {
        bad.push(
          `${form}: compiled pullback({ accumulate: true }) of input ${i} adds ${fmt(ca.err)} relative off the eager cotangent`,
        );
      }
    });
  }
  return {
    name: "compiled-eager",
    ok: bad.length === 0,
    detail:
      bad.length === 0
        ? `compile(f) and its fan-out form replayed at moved inputs match eager mode (${rtol === 0 ? "bit for bit" : `rtol ${rtol}`}); accumulating pullbacks add`
        : `${bad.join("; ")}. A stale forward value (a wrong vjpReads declaration), state kept outside the op's context, or a rule that overwrites.`,
  };
}

interface SuiteTolerances {
  eps: number;
  rtol: number;
  atol: number;
  directions: number;
}

/**
 * Runs every check of the suite on `f` at `inputs` (see the file header). Cost: about
 * 2·directions + 10 evaluations of f and as many pullbacks, plus three compiles; use small inputs.
 */
export function checkOpSuite(f: Fn, inputs: readonly Tensor[], options: OpSuiteOptions = {}): OpSuiteReport {
  const {
    label = "f",
    eps = 1e-6,
    rtol = 1e-6,
    atol = 1e-8,
    directions = 3,
    roundingRtol = 1e-12,
    compiledRtol = 0,
    compiled = true,
  } = options;
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) {
      throw new OpSuiteError(`checkOpSuite(${label}): input ${i} is not a Tensor. Wrap it with tensor(...).`);
    }
  });
  const moved =
    options.movedInputs ??
    inputs.map(
      (x) =>
        new Tensor(
          x.data.map((v) => 1.1 * v),
          x.shape,
        ),
    );
  if (moved.length !== inputs.length || moved.some((m, i) => !sameShape(m.shape, inputs[i].shape))) {
    throw new OpSuiteError(
      `checkOpSuite(${label}): movedInputs must have one tensor per input, shaped like it (${inputs.map((x) => formatShape(x.shape)).join(", ")}).`,
    );
  }
  let ops: string[] = [];
  const checks: OpCheck[] = [
    guarded("dot-product", () => dotProduct(f, inputs, { eps, rtol, atol, directions })),
    guarded("fan-out", () => fanOut(f, inputs, roundingRtol)),
    guarded("aliased-inputs", () => aliasedInputs(f, inputs, roundingRtol)),
    guarded("accumulate", () => {
      const r = accumulate(f, inputs, roundingRtol);
      ops = r.ops;
      return r.check;
    }),
  ];
  if (compiled)
    checks.push(guarded("compiled-eager", () => compiledEager(f, inputs, moved, compiledRtol, roundingRtol)));
  const failures = checks.filter((c) => !c.ok).map((c) => `${label}: ${c.name}: ${c.detail}`);
  return { label, ok: failures.length === 0, checks, failures, ops };
}

/** checkOpSuite on one registered op applied to `inputs` with `attrs`; the label is the op's name. */
export function checkOp<A>(
  op: Op<A>,
  inputs: readonly Tensor[],
  attrs: A,
  options: OpSuiteOptions = {},
): OpSuiteReport {
  return checkOpSuite((...xs) => op(xs, attrs), inputs, { label: op.definition.name, ...options });
}

/** Throws OpSuiteError listing every failed check of `report`; returns it when all passed. */
export function assertOpSuite(report: OpSuiteReport): OpSuiteReport {
  if (!report.ok) {
    throw new OpSuiteError(`op suite failed for ${report.label}:\n  ${report.failures.join("\n  ")}`);
  }
  return report;
}

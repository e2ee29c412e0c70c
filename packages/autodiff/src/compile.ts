/**
 * Compiled tapes: `compile(f, ...exampleInputs)` traces f once into a static program whose
 * buffers (every intermediate value, every cotangent, every op's scratch) are allocated at
 * compile time. `forward` and `vjp` then replay the program in place and allocate nothing,
 * which is what the inner loop of an adjoint solve needs.
 *
 * Limits (checked): f must be a pure tensor program — the same ops on the same shapes
 * whatever the input values. Reading a traced value (`item()`, `toArray()`) throws a
 * CompileError, and the compiled program is checked against an eager call at perturbed
 * inputs. Tensors captured from f's closure are constants: their buffers are read at each
 * replay, but anything computed from constants alone is computed once, at compile time.
 */
import { allocF64, allocF64From } from "@udekit/kernels";
import { CompileError } from "./errors.js";
import { OuterStack } from "./outer-stack.js";
import type { OpContext, OpRecord } from "./registry.js";
import { formatShape, type Shape } from "./shape.js";
import { Tape, withTape } from "./tape.js";
import { Tensor } from "./tensor.js";

export interface CompiledFunction {
  readonly inputShapes: readonly Shape[];
  readonly outputShape: Shape;
  /** f at `inputs` (flat row-major data, one array per input). Returns `out` if given, else an internal buffer overwritten by the next call. */
  forward(inputs: readonly Float64Array[], out?: Float64Array): Float64Array;
  /**
   * Runs f at `inputs`, then returns the cotangent of every input given the output's
   * cotangent. `grads` (one array per input; longer arrays are fine, only the leading entries
   * are written) is overwritten and returned; without it,
   * internal buffers are returned, overwritten by the next call.
   */
  vjp(inputs: readonly Float64Array[], cotangent: Float64Array, grads?: Float64Array[]): Float64Array[];
  /**
   * A specialised VJP that computes only the cotangents of the inputs flagged in `wrt`
   * (ops that lead only to other inputs are skipped), writing them into `grads[i]` for the
   * flagged i (other entries are ignored and may be null). With `accumulate: true` it adds
   * to `grads` instead of overwriting (e.g. to sum a quadrature rule's terms in place).
   * See PullbackOptions for `batch`.
   */
  pullback(wrt: readonly boolean[], options?: PullbackOptions): Pullback;
  /**
   * The same program with the inputs flagged in `fixed` held constant between calls to
   * `prepare(inputs)`: work that depends only on them (e.g. row sums of a parameter matrix
   * inside an ODE right-hand side) is done once per prepare instead of once per call. The
   * caller promises to call prepare again whenever a fixed input's values change, and after
   * calling the parent's own forward/vjp/pullback with other values (buffers are shared).
   */
  specialise(fixed: readonly boolean[]): SpecialisedFunction;
}

export interface SpecialisedFunction {
  /** Computes everything that depends only on the fixed inputs (and constants). */
  prepare(inputs: readonly Float64Array[]): void;
  forward(inputs: readonly Float64Array[], out?: Float64Array): Float64Array;
  pullback(wrt: readonly boolean[], options?: PullbackOptions): Pullback;
}

export interface PullbackOptions {
  /** Add to `grads` instead of overwriting them. */
  accumulate?: boolean;
  /**
   * With `accumulate`: rank-1 contributions to the flagged arguments (ops that declare
   * `outerVjp`, e.g. Ā += ḡ·xᵀ of matvec) are stacked, `batch` calls at a time, and added with
   * one matrix product — when the stack is full, or when `flush(grads)` is called. Until then
   * `grads` lacks them: call `flush` before reading `grads`, and pass the same arrays to every
   * call in between. The sum is the same up to rounding (it is added in another order).
   */
  batch?: number;
}

/**
 * See CompiledFunction.pullback. Runs the part of the forward pass its VJPs read (ops
 * declare it with `vjpReads`), then the backward pass.
 */
export interface Pullback {
  /**
   * `weights` (optional, one per input) multiplies each argument's cotangent: grads[i] gets
   * weights[i]·(∂f/∂xᵢ)ᵀ·cotangent. One call then serves two scalings of the same cotangent, e.g.
   * a Runge–Kutta stage's state VJP (weight 1) and its parameter VJP times the quadrature
   * weight h·bᵢ, with a single pass through the program.
   */
  (
    inputs: readonly Float64Array[],
    cotangent: Float64Array,
    grads: readonly (Float64Array | null)[],
    weights?: readonly number[],
  ): void;
  /** Adds the stacked rank-1 contributions (see PullbackOptions.batch) into `grads`; a no-op without batch. */
  flush(grads: readonly (Float64Array | null)[]): void;
}

/** A stacked rank-1 contribution site: step `step`'s VJP into argument `slot` (see OuterStack). */
interface OuterSite {
  step: number;
  slot: number;
  stack: OuterStack;
}

/** Where a step's input comes from: a function argument, an earlier step, or a constant. */
type Source = { kind: "leaf"; slot: number } | { kind: "step"; step: number } | { kind: "const" };

interface Step {
  op: OpRecord;
  ctx: OpContext<unknown>;
  /** ctx.inputs, rebound to the caller's arrays at each call. */
  inputs: Float64Array[];
  sources: Source[];
  /** Cotangent of this step's output. */
  grad: Float64Array;
}

/** (step, input position, argument slot): where a function argument feeds a step. */
interface Binding {
  step: number;
  position: number;
  slot: number;
}

export function compile(f: (...xs: Tensor[]) => Tensor, ...exampleInputs: Tensor[]): CompiledFunction {
  exampleInputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new CompileError(`compile: example input ${i} is not a Tensor.`);
  });
  const inputShapes = exampleInputs.map((x) => x.shape);
  const tape = new Tape();
  tape.tracing = true;
  const leaves = exampleInputs.map((x) => tape.leaf(new Tensor(x.data.slice(), x.shape)));
  let out: Tensor;
  try {
    out = withTape(tape, () => f(...leaves));
  } finally {
    tape.tracing = false;
  }
  if (!(out instanceof Tensor)) throw new CompileError("compile: the function must return a Tensor.");
  if (out.tape !== tape) {
    throw new CompileError(
      "compile: the output does not depend on any input, so there is nothing to compile. Return a tensor computed from the inputs.",
    );
  }

  // Keep only the entries the output depends on.
  const live = new Array<boolean>(tape.entries.length).fill(false);
  live[out.index] = true;
  for (let k = out.index; k >= 0; k--) {
    if (!live[k]) continue;
    for (const t of tape.entries[k].inputs) if (t.tape === tape) live[t.index] = true;
  }

  const stepOf = new Map<number, number>();
  const steps: Step[] = [];
  const bindings: Binding[] = [];
  const sourceOf = (t: Tensor): Source => {
    if (t.tape !== tape) return { kind: "const" };
    const slot = leaves.indexOf(t);
    return slot >= 0 ? { kind: "leaf", slot } : { kind: "step", step: stepOf.get(t.index) as number };
  };
  // The program's buffers live in the kernels' memory (allocF64), where the WebAssembly
  // kernels use them without copying; consumers are rewired to the moved outputs.
  tape.entries.forEach((entry, k) => {
    if (!live[k] || entry.op === null || entry.ctx === null) return;
    const sources = entry.inputs.map(sourceOf);
    sources.forEach((src, position) => {
      if (src.kind === "leaf") bindings.push({ step: steps.length, position, slot: src.slot });
    });
    const inputs = entry.ctx.inputs as Float64Array[];
    sources.forEach((src, position) => {
      if (src.kind === "step") inputs[position] = steps[src.step].ctx.out;
    });
    const ctx: OpContext<unknown> = { ...entry.ctx, inputs, out: allocF64From(entry.ctx.out) };
    stepOf.set(k, steps.length);
    steps.push({ op: entry.op, ctx, inputs, sources, grad: allocF64(ctx.out.length) });
  });
  const outSlot = leaves.indexOf(out);
  const last = steps.length - 1;
  const outBuffer = outSlot >= 0 ? new Float64Array(out.size) : steps[last].ctx.out;

  /** Inputs must match their traced sizes exactly; output and gradient buffers may be longer (only the leading entries are written). */
  const NO_OPTIONS = {};
  const checkArrays = (
    what: string,
    arrays: readonly (Float64Array | null)[],
    { wrt, longer = false }: { wrt?: readonly boolean[]; longer?: boolean } = NO_OPTIONS,
  ): void => {
    if (arrays.length !== leaves.length) {
      throw new CompileError(`compiled ${what}: expected ${leaves.length} arrays, got ${arrays.length}.`);
    }
    for (let i = 0; i < arrays.length; i++) {
      if (wrt !== undefined && !wrt[i]) continue;
      const x = arrays[i];
      const size = leaves[i].size;
      if (!(x instanceof Float64Array) || x.length < size || (!longer && x.length !== size)) {
        throw new CompileError(
          `compiled ${what}: array ${i} must be a Float64Array of ${longer ? "at least " : ""}${size} entries (shape ${formatShape(leaves[i].shape)}); ` +
            "a compiled function is specialised to the shapes it was traced with: compile again for other shapes.",
        );
      }
    }
  };

  // What each step's VJP reads of the forward pass (ops say so with vjpReads).
  const reads = steps.map(
    (st) => st.op.vjpReads?.(st.ctx.inputShapes, st.ctx.attrs) ?? { inputs: true, forward: true },
  );
  const bindAll = (inputs: readonly Float64Array[]): void => {
    for (let b = 0; b < bindings.length; b++) {
      const { step, position, slot } = bindings[b];
      steps[step].inputs[position] = inputs[slot];
    }
  };
  /** Steps needed to compute the given steps, in execution order (dependencies included). */
  const closure = (wanted: boolean[]): number[] => {
    const need = wanted.slice();
    for (let s = steps.length - 1; s >= 0; s--) {
      if (!need[s]) continue;
      for (const src of steps[s].sources) if (src.kind === "step") need[src.step] = true;
    }
    return steps.map((_, i) => i).filter((i) => need[i]);
  };
  const runSteps = (plan: readonly number[]): void => {
    for (let k = 0; k < plan.length; k++) {
      const step = steps[plan[k]];
      step.op.forward(step.ctx);
    }
  };
  const allSteps = steps.map((_, i) => i);

  /** Builds the pullback for `wrt`; `skip[s]` marks steps whose forward values are already in place. */
  const makePullback = (
    wrt: readonly boolean[],
    { accumulate = false, batch = 0 }: PullbackOptions,
    skip: readonly boolean[],
  ): Pullback => {
    if (batch !== 0 && (!Number.isInteger(batch) || batch < 1 || !accumulate)) {
      throw new CompileError(
        `compiled pullback: batch must be a positive integer and needs accumulate: true; got batch = ${batch}, accumulate = ${accumulate}.`,
      );
    }
    if (wrt.length !== leaves.length) {
      throw new CompileError(
        `compiled pullback: wrt must have one flag per input (${leaves.length}), got ${wrt.length}.`,
      );
    }
    // A step needs its output cotangent when any of its inputs leads to a flagged argument.
    const needs = new Array<boolean>(steps.length).fill(false);
    const leads = (src: Source): boolean =>
      (src.kind === "leaf" && wrt[src.slot]) || (src.kind === "step" && needs[src.step]);
    steps.forEach((st, s) => {
      needs[s] = st.sources.some(leads);
    });
    let order = steps
      .map((_, s) => s)
      .filter((s) => needs[s])
      .reverse();
    // Rank-1 contributions to flagged arguments that are stacked instead of added (batch):
    // an op declaring outerVjp whose matrix input is a flagged argument, or a view of one
    // through reshape/slice (viewOf), e.g. P = reshape(slice(p, 0, n²), [n, n]).
    const sites: OuterSite[] = [];
    /** deferredAt[s][i]: step s's contribution to its input i is stacked, not added. */
    const deferredAt = steps.map((st) => st.sources.map(() => false));
    if (batch > 0) {
      for (const s of order) {
        const st = steps[s];
        const outer = st.op.outerVjp?.(st.ctx.inputShapes, st.ctx.attrs);
        if (outer === undefined) continue;
        let src = st.sources[outer.input];
        let offset = 0;
        while (src.kind === "step") {
          const v = steps[src.step];
          const at = v.op.viewOf?.(v.ctx.inputShapes, v.ctx.attrs);
          if (at === undefined) break;
          offset += at;
          src = v.sources[0];
        }
        if (src.kind !== "leaf" || !wrt[src.slot]) continue;
        const [m, n] = st.ctx.inputShapes[outer.input];
        deferredAt[s][outer.input] = true;
        sites.push({ step: s, slot: src.slot, stack: new OuterStack(m, n, offset, outer, batch) });
      }
    }
    // Steps that still receive a cotangent once the stacked contributions bypass them (order
    // runs from the output back, so consumers come before the steps they read).
    const receives = new Array<boolean>(steps.length).fill(false);
    receives[last] = true;
    for (const s of order) {
      if (!receives[s]) continue;
      steps[s].sources.forEach((src, i) => {
        if (src.kind === "step" && !deferredAt[s][i]) receives[src.step] = true;
      });
    }
    order = order.filter((s) => receives[s]);
    // Forward values the backward pass reads: a step's own results, or its inputs' producers.
    const wanted = new Array<boolean>(steps.length).fill(false);
    for (const s of order) {
      if (reads[s].forward) wanted[s] = true;
      if (reads[s].inputs)
        for (const src of steps[s].sources) if (src.kind === "step") wanted[src.step] = true;
    }
    // A stacked contribution's right-hand vector r is read from the forward values too.
    for (const d of sites) {
      const r = d.stack.outer.right;
      const src = typeof r === "number" ? steps[d.step].sources[r] : undefined;
      if (src?.kind === "step") wanted[src.step] = true;
    }
    const plan = closure(wanted).filter((s) => !skip[s]);
    const inputGrads: (Float64Array | null)[][] = steps.map((st, s) =>
      st.sources.map((src, i) =>
        src.kind === "step" && needs[src.step] && !deferredAt[s][i] ? steps[src.step].grad : null,
      ),
    );
    const siteOf = steps.map((_, s) => sites.filter((d) => d.step === s));
    const gradBindings = bindings.filter(
      (b) => wrt[b.slot] && needs[b.step] && !deferredAt[b.step][b.position],
    );
    const slots = wrt.map((w, i) => (w ? i : -1)).filter((i) => i >= 0);
    const outNeeded = outSlot >= 0 ? wrt[outSlot] : needs[last];
    const gradCheck = { wrt, longer: true };
    // Weighted calls: the VJPs that write an argument's cotangent in place (not stacked) write
    // into a scratch copy of it instead, added times the weight afterwards. Only the ranges
    // they write are cleared and added: a view op (slice, reshape) writes its window of the
    // argument, any other op all of it (e.g. the 49 net entries of the UDE's 10 049 parameters).
    const written = leaves.map(() => [] as number[]);
    for (const b of gradBindings) {
      if (!receives[b.step]) continue; // bypassed by a stacked contribution: its VJP never runs
      const st = steps[b.step];
      const at = st.op.viewOf?.(st.ctx.inputShapes, st.ctx.attrs);
      written[b.slot].push(...(at === undefined ? [0, leaves[b.slot].size] : [at, at + st.ctx.out.length]));
    }
    if (outSlot >= 0) written[outSlot].push(0, out.size);
    const ranges = written.map(mergeRanges);
    const scratchGrads: (Float64Array | null)[] = leaves.map(() => null);
    const one = (weights: readonly number[] | undefined, slot: number): number => weights?.[slot] ?? 1;
    const pull = (
      inputs: readonly Float64Array[],
      cotangent: Float64Array,
      grads: readonly (Float64Array | null)[],
      weights?: readonly number[],
    ) => {
      checkArrays("pullback (inputs)", inputs);
      checkArrays("pullback (grads)", grads, gradCheck);
      if (cotangent.length !== out.size) {
        throw new CompileError(
          `compiled pullback: the cotangent must have ${out.size} entries (output shape ${formatShape(out.shape)}), got ${cotangent.length}.`,
        );
      }
      if (weights !== undefined) checkWeights(weights, leaves.length);
      bindAll(inputs);
      runSteps(plan);
      if (!accumulate) {
        for (let i = 0; i < slots.length; i++)
          (grads[slots[i]] as Float64Array).fill(0, 0, leaves[slots[i]].size);
      }
      // Where each argument's in-place contributions go: grads itself, or a cleared scratch.
      for (let i = 0; weights !== undefined && i < slots.length; i++) {
        const slot = slots[i];
        if (weights[slot] === 1) continue;
        scratchGrads[slot] ??= allocF64(leaves[slot].size);
        const r = ranges[slot];
        for (let k = 0; k < r.length; k += 2) (scratchGrads[slot] as Float64Array).fill(0, r[k], r[k + 1]);
      }
      for (let b = 0; b < gradBindings.length; b++) {
        const { step, position, slot } = gradBindings[b];
        inputGrads[step][position] = one(weights, slot) === 1 ? grads[slot] : scratchGrads[slot];
      }
      if (!outNeeded) return;
      if (outSlot >= 0) {
        const g = grads[outSlot] as Float64Array;
        const w = one(weights, outSlot);
        for (let i = 0; i < out.size; i++) g[i] += w * cotangent[i];
        return;
      }
      for (let k = 0; k < order.length; k++) steps[order[k]].grad.fill(0);
      steps[last].grad.set(cotangent);
      for (let k = 0; k < order.length; k++) {
        const s = order[k];
        const step = steps[s];
        step.op.vjp(step.ctx, step.grad, inputGrads[s]);
        const here = siteOf[s];
        for (let i = 0; i < here.length; i++) {
          const { stack, slot } = here[i];
          const r = stack.outer.right;
          stack.push(
            step.grad,
            r === "ones" ? null : step.inputs[r],
            grads[slot] as Float64Array,
            one(weights, slot),
          );
        }
      }
      for (let i = 0; weights !== undefined && i < slots.length; i++) {
        const slot = slots[i];
        const w = weights[slot];
        if (w === 1) continue;
        const g = grads[slot] as Float64Array;
        const src = scratchGrads[slot] as Float64Array;
        const r = ranges[slot];
        for (let k = 0; k < r.length; k += 2) for (let j = r[k]; j < r[k + 1]; j++) g[j] += w * src[j];
      }
    };
    const flush = (grads: readonly (Float64Array | null)[]): void => {
      for (const d of sites) {
        if (d.stack.pending && !d.stack.pendingFor(grads[d.slot])) {
          throw new CompileError(
            "compiled pullback: flush(grads) got other arrays than the calls it is flushing; pass the same grads to every call and to flush.",
          );
        }
        d.stack.flush();
      }
    };
    return Object.assign(pull, { flush });
  };

  const makeForward =
    (plan: readonly number[]) => (inputs: readonly Float64Array[], result?: Float64Array) => {
      checkArrays("forward", inputs);
      bindAll(inputs);
      runSteps(plan);
      if (outSlot >= 0) outBuffer.set(inputs[outSlot]);
      if (result === undefined) return outBuffer;
      if (!(result instanceof Float64Array) || result.length < out.size) {
        throw new CompileError(
          `compiled forward: out must be a Float64Array of at least ${out.size} entries.`,
        );
      }
      result.set(outBuffer);
      return result;
    };

  const noSkip = steps.map(() => false);
  const leafGrads = leaves.map((l) => allocF64(l.size));
  const full = makePullback(
    leaves.map(() => true),
    {},
    noSkip,
  );
  const forwardAll = makeForward(allSteps);
  const compiled: CompiledFunction = {
    inputShapes,
    outputShape: out.shape,
    forward: forwardAll,
    vjp(inputs, cotangent, grads) {
      const target = grads ?? leafGrads;
      full(inputs, cotangent, target);
      return target;
    },
    pullback: (wrt, options = {}) => makePullback(wrt, options, noSkip),
    specialise(fixed) {
      if (fixed.length !== leaves.length) {
        throw new CompileError(
          `compiled specialise: fixed must have one flag per input (${leaves.length}), got ${fixed.length}.`,
        );
      }
      // Steps whose every source is a constant, a fixed input or another such step.
      const isFixed = new Array<boolean>(steps.length).fill(false);
      steps.forEach((st, s) => {
        isFixed[s] = st.sources.every(
          (src) =>
            src.kind === "const" ||
            (src.kind === "leaf" && fixed[src.slot]) ||
            (src.kind === "step" && isFixed[src.step]),
        );
      });
      const fixedPlan = allSteps.filter((s) => isFixed[s]);
      const forwardPlan = allSteps.filter((s) => !isFixed[s]);
      const forward = makeForward(forwardPlan);
      return {
        prepare(inputs) {
          checkArrays("prepare", inputs);
          bindAll(inputs);
          runSteps(fixedPlan);
        },
        forward,
        pullback: (wrt, options = {}) => makePullback(wrt, options, isFixed),
      };
    },
  };

  checkAgainstEager(f, exampleInputs, compiled);
  return compiled;
}

/** Flat [start, end, start, end, …] pairs, sorted and with overlapping or touching ranges merged. */
function mergeRanges(pairs: number[]): number[] {
  const sorted: [number, number][] = [];
  for (let k = 0; k < pairs.length; k += 2) sorted.push([pairs[k], pairs[k + 1]]);
  sorted.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [a, b] of sorted) {
    const n = merged.length;
    if (n > 0 && a <= merged[n - 1]) merged[n - 1] = Math.max(merged[n - 1], b);
    else merged.push(a, b);
  }
  return merged;
}

function checkWeights(weights: readonly number[], count: number): void {
  if (weights.length !== count) {
    throw new CompileError(
      `compiled pullback: weights must have one number per input (${count}), got ${weights.length}.`,
    );
  }
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(weights[i])) {
      throw new CompileError(`compiled pullback: weights[${i}] = ${weights[i]} is not a finite number.`);
    }
  }
}

/**
 * A function whose trace depends on input values would replay the wrong program at other
 * values: compare the compiled forward with an eager call at perturbed inputs.
 */
function checkAgainstEager(
  f: (...xs: Tensor[]) => Tensor,
  examples: Tensor[],
  compiled: CompiledFunction,
): void {
  let seed = 0x9e3779b9;
  // Two perturbations, one up and one down, so a branch on a threshold at the traced value flips in one of them.
  for (const sign of [1, -1]) {
    const perturbed = examples.map((x) => {
      const d = x.data.slice();
      for (let i = 0; i < d.length; i++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        const delta = sign * 1e-3 * (0.5 + 0.5 * (seed / 2 ** 32));
        d[i] = d[i] * (1 + delta) + delta;
      }
      return d;
    });
    const eager = f(...perturbed.map((d, i) => new Tensor(d, examples[i].shape))).data;
    const replayed = compiled.forward(perturbed);
    for (let i = 0; i < eager.length; i++) {
      if (!Object.is(eager[i], replayed[i])) {
        throw new CompileError(
          "compile: replaying the traced program at other input values does not reproduce an eager call, so the function's ops depend on input values " +
            "(value-dependent control flow, randomness, or state outside the function). Make it a pure tensor program, or use grad/vjp eagerly.",
        );
      }
    }
  }
}

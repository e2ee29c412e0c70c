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
import { CompileError } from "./errors.js";
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
   * cotangent. `grads` (one array per input) is overwritten and returned; without it,
   * internal buffers are returned, overwritten by the next call.
   */
  vjp(inputs: readonly Float64Array[], cotangent: Float64Array, grads?: Float64Array[]): Float64Array[];
}

interface Step {
  op: OpRecord;
  ctx: OpContext<unknown>;
  /** Mutable views of ctx.inputs / the inputs' gradient buffers, rebound to caller arrays. */
  inputs: Float64Array[];
  inputGrads: (Float64Array | null)[];
  grad: Float64Array;
}

/** (step, input position, leaf slot): where a function argument feeds a step. */
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
  const out = withTape(tape, () => f(...leaves));
  tape.tracing = false;
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

  const leafGrads = leaves.map((l) => new Float64Array(l.size));
  const stepOf = new Map<number, number>();
  const steps: Step[] = [];
  const bindings: Binding[] = [];
  const gradBuffer = (t: Tensor): Float64Array | null => {
    if (t.tape !== tape) return null;
    const slot = leaves.indexOf(t);
    return slot >= 0 ? leafGrads[slot] : steps[stepOf.get(t.index) as number].grad;
  };
  tape.entries.forEach((entry, k) => {
    if (!live[k] || entry.op === null || entry.ctx === null) return;
    const ctx = entry.ctx;
    const inputs = ctx.inputs as Float64Array[];
    const inputGrads = entry.inputs.map(gradBuffer);
    entry.inputs.forEach((t, position) => {
      const slot = t.tape === tape ? leaves.indexOf(t) : -1;
      if (slot >= 0) bindings.push({ step: steps.length, position, slot });
    });
    stepOf.set(k, steps.length);
    steps.push({ op: entry.op, ctx, inputs, inputGrads, grad: new Float64Array(ctx.out.length) });
  });
  const outSlot = leaves.indexOf(out);
  const last = steps.length - 1;
  const outBuffer = outSlot >= 0 ? new Float64Array(out.size) : steps[last].ctx.out;
  const outGrad = outSlot >= 0 ? leafGrads[outSlot] : steps[last].grad;

  const checkInputs = (what: string, inputs: readonly Float64Array[]): void => {
    if (inputs.length !== leaves.length) {
      throw new CompileError(`compiled ${what}: expected ${leaves.length} inputs, got ${inputs.length}.`);
    }
    for (let i = 0; i < inputs.length; i++) {
      if (!(inputs[i] instanceof Float64Array) || inputs[i].length !== leaves[i].size) {
        throw new CompileError(
          `compiled ${what}: input ${i} must be a Float64Array of ${leaves[i].size} entries (shape ${formatShape(leaves[i].shape)}); ` +
            "a compiled function is specialised to the shapes it was traced with: compile again for other shapes.",
        );
      }
    }
  };

  const run = (inputs: readonly Float64Array[]): void => {
    for (let b = 0; b < bindings.length; b++) {
      const { step, position, slot } = bindings[b];
      steps[step].inputs[position] = inputs[slot];
    }
    for (let s = 0; s < steps.length; s++) steps[s].op.forward(steps[s].ctx);
    if (outSlot >= 0) outBuffer.set(inputs[outSlot]);
  };

  const compiled: CompiledFunction = {
    inputShapes,
    outputShape: out.shape,
    forward(inputs, result) {
      checkInputs("forward", inputs);
      run(inputs);
      if (result === undefined) return outBuffer;
      result.set(outBuffer);
      return result;
    },
    vjp(inputs, cotangent, grads) {
      checkInputs("vjp", inputs);
      if (cotangent.length !== out.size) {
        throw new CompileError(
          `compiled vjp: the cotangent must have ${out.size} entries (output shape ${formatShape(out.shape)}), got ${cotangent.length}.`,
        );
      }
      run(inputs);
      const target = grads ?? leafGrads;
      if (grads !== undefined) checkInputs("vjp (grads)", grads);
      for (let b = 0; b < bindings.length; b++) {
        const { step, position, slot } = bindings[b];
        steps[step].inputGrads[position] = target[slot];
      }
      for (let i = 0; i < target.length; i++) target[i].fill(0);
      for (let s = 0; s < steps.length; s++) steps[s].grad.fill(0);
      if (outSlot >= 0) {
        const g = target[outSlot];
        for (let i = 0; i < g.length; i++) g[i] += cotangent[i];
      } else {
        outGrad.set(cotangent);
      }
      for (let s = last; s >= 0; s--) {
        const step = steps[s];
        step.op.vjp(step.ctx, step.grad, step.inputGrads);
      }
      return target;
    },
  };

  checkAgainstEager(f, exampleInputs, compiled);
  return compiled;
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

/**
 * Reverse mode: `grad`, `valueAndGrad` and `vjp` record a function's ops on a fresh tape,
 * then walk it backwards once, each op accumulating its inputs' cotangents.
 */
import { giveBuffer, takeZeroed } from "@udekit/kernels";
import { describeNonTensor, foreignOutputError } from "./copies.js";
import { ArgumentError, NonScalarOutputError, ShapeError } from "./errors.js";
import { formatShape } from "./shape.js";
import { Tape, withTape } from "./tape.js";
import { isTensor, Tensor } from "./tensor.js";

/**
 * Cotangents of every entry of `tape` given the cotangent `seed` of `output`
 * (null where an entry does not influence the output).
 */
export function backward(tape: Tape, output: Tensor, seed: Float64Array): (Float64Array | null)[] {
  const grads: (Float64Array | null)[] = new Array(tape.entries.length).fill(null);
  if (output.tape !== tape) return grads;
  // Cotangent buffers come from the kernels' pool (large fresh arrays are slow to touch) and
  // go back to it after the pass (leafGrads), all but the leaves' own.
  grads[output.index] = takeZeroed(seed.length);
  (grads[output.index] as Float64Array).set(seed);
  for (let k = output.index; k >= 0; k--) {
    const entry = tape.entries[k];
    const g = grads[k];
    if (g === null || entry.op === null || entry.ctx === null) continue;
    const inputGrads = entry.inputs.map((t) => {
      if (t.tape !== tape) return null;
      let gi = grads[t.index];
      if (gi === null) gi = grads[t.index] = takeZeroed(t.size);
      return gi;
    });
    entry.op.vjp(entry.ctx, g, inputGrads);
  }
  return grads;
}

function checkTensorArgs(what: string, args: readonly unknown[]): asserts args is Tensor[] {
  args.forEach((a, i) => {
    if (!isTensor(a)) {
      throw new ArgumentError(
        `${what}: argument ${i} is ${describeNonTensor(a)}, not a Tensor. Wrap numbers and arrays with tensor(...).`,
      );
    }
  });
}

function checkOutput(what: string, out: unknown): asserts out is Tensor {
  if (!(out instanceof Tensor)) {
    if (isTensor(out)) throw foreignOutputError(what, out);
    throw new ArgumentError(
      `${what}: the function returned ${typeof out}, not a Tensor. Return a tensor built from its arguments.`,
    );
  }
}

/** Records f on a fresh tape with the arguments at `argnums` as leaves. */
function trace(
  what: string,
  f: (...args: Tensor[]) => Tensor,
  args: readonly Tensor[],
  argnums: readonly number[],
): { tape: Tape; leaves: Tensor[]; out: Tensor } {
  checkTensorArgs(what, args);
  for (const k of argnums) {
    if (!Number.isInteger(k) || k < 0 || k >= args.length) {
      throw new ArgumentError(
        `${what}: argnums contains ${k}, but the function was called with ${args.length} arguments.`,
      );
    }
  }
  const tape = new Tape();
  return withTape(tape, () => {
    const callArgs = [...args];
    const leaves = argnums.map((k) => {
      const leaf = tape.leaf(new Tensor(args[k].data, args[k].shape));
      callArgs[k] = leaf;
      return leaf;
    });
    const out = f(...callArgs);
    checkOutput(what, out);
    return { tape, leaves, out };
  });
}

function scalarSeed(what: string, out: Tensor): Float64Array {
  if (out.size !== 1) {
    throw new NonScalarOutputError(
      `${what}: the function returned a tensor of shape ${formatShape(out.shape)}; gradients need a scalar output. ` +
        "Reduce it (e.g. sum(...)) or use vjp(f, ...) with an explicit cotangent.",
    );
  }
  return Float64Array.of(1);
}

/** The leaves' cotangents as tensors; every other cotangent buffer goes back to the pool. */
function leafGrads(leaves: Tensor[], grads: (Float64Array | null)[]): Tensor[] {
  const out = leaves.map((leaf) => new Tensor(grads[leaf.index] ?? new Float64Array(leaf.size), leaf.shape));
  const kept = new Set(leaves.map((leaf) => leaf.index));
  for (let k = 0; k < grads.length; k++) {
    const g = grads[k];
    if (g !== null && !kept.has(k)) giveBuffer(g);
  }
  return out;
}

/**
 * `valueAndGrad(f, argnums)(...args)` → [f(...args), gradient(s)]. With a number `argnums`
 * (default 0) the gradient is one Tensor; with an array it is an array in that order.
 */
export function valueAndGrad<N extends number | readonly number[] = 0>(
  f: (...args: Tensor[]) => Tensor,
  argnums?: N,
): (...args: Tensor[]) => [Tensor, N extends number ? Tensor : Tensor[]] {
  return namedValueAndGrad("valueAndGrad", f, argnums);
}

function namedValueAndGrad<N extends number | readonly number[]>(
  what: string,
  f: (...args: Tensor[]) => Tensor,
  argnums?: N,
): (...args: Tensor[]) => [Tensor, N extends number ? Tensor : Tensor[]] {
  const nums: readonly number[] = Array.isArray(argnums) ? argnums : [(argnums as number | undefined) ?? 0];
  return (...args: Tensor[]) => {
    const { tape, leaves, out } = trace(what, f, args, nums);
    const seed = scalarSeed(what, out);
    const gs = leafGrads(leaves, backward(tape, out, seed));
    const value = new Tensor(out.data, out.shape);
    return [value, (Array.isArray(argnums) ? gs : gs[0]) as N extends number ? Tensor : Tensor[]];
  };
}

/** `grad(f, argnums)(...args)` → the gradient(s) of the scalar f at args (see valueAndGrad). */
export function grad<N extends number | readonly number[] = 0>(
  f: (...args: Tensor[]) => Tensor,
  argnums?: N,
): (...args: Tensor[]) => N extends number ? Tensor : Tensor[] {
  const vg = namedValueAndGrad("grad", f, argnums);
  return (...args: Tensor[]) => vg(...args)[1];
}

/**
 * `vjp(f, ...primals)` → [f(...primals), pullback], where `pullback(cotangent)` returns the
 * cotangent of every primal (Jᵀ·cotangent). The pullback may be called many times.
 */
export function vjp(
  f: (...args: Tensor[]) => Tensor,
  ...primals: Tensor[]
): [Tensor, (cotangent: Tensor | Float64Array) => Tensor[]] {
  const { tape, leaves, out } = trace(
    "vjp",
    f,
    primals,
    primals.map((_, i) => i),
  );
  const pullback = (cotangent: Tensor | Float64Array): Tensor[] => {
    const ct = isTensor(cotangent) ? cotangent.data : cotangent;
    if (ct.length !== out.size) {
      throw new ShapeError(
        `vjp: the cotangent has ${ct.length} entries but the output has shape ${formatShape(out.shape)} (${out.size} entries). Pass a cotangent shaped like the output.`,
      );
    }
    return leafGrads(leaves, backward(tape, out, ct));
  };
  return [new Tensor(out.data, out.shape), pullback];
}
